#include "explain/input_rejection.h"

#include <algorithm>
#include <fmt/format.h>
#include <regex>

#include "explain/explainer.h"

namespace mtool {

namespace {

using Origin = InputOrigin;

std::vector<int64_t> numbers_in(const std::string& text) {
  std::vector<int64_t> numbers;
  static const std::regex number(R"(-?\d+)");
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) {
    numbers.push_back(std::stoll(it->str()));
  }
  return numbers;
}

std::string plural(int64_t count, const char* noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

bool channels_last(const std::vector<int64_t>& shape) { return shape.size() == 4 && shape[3] <= 4 && shape[1] > 4; }

// Convolution.cpp: "expected input[1, 224, 3, 224] to have 3 channels, but got 224 channels instead" (read by
// explain's entry for it). When the layer saw the given dimensions in another order and wants a count the
// input has elsewhere, the model permutes its input: the layout is the problem, not the count.
InputRejection channel_mismatch(const Finding& finding, const std::vector<int64_t>& shape, Origin origin) {
  std::vector<int64_t> seen = numbers_in(finding.value("input"));
  int64_t wanted = std::stoll(finding.value("expected_channels"));
  int64_t got = std::stoll(finding.value("got_channels"));
  std::vector<int64_t> sorted_seen = seen, sorted_shape = shape;
  std::sort(sorted_seen.begin(), sorted_seen.end());
  std::sort(sorted_shape.begin(), sorted_shape.end());
  bool permuted = seen != shape && sorted_seen == sorted_shape;
  bool last = channels_last(shape);
  // Channels last given to a model that wants them first ([1, 224, 224, 3] seen as 224 channels), or a model
  // that permutes its input and finds the count where the other layout has it.
  bool layout = (permuted && std::find(shape.begin(), shape.end(), wanted) != shape.end()) ||
                (!permuted && last && shape[3] == wanted && shape[1] == got);
  if (layout) {
    std::string advice = origin == Origin::Photos
                             ? fmt::format("give --layout {}", last ? "NCHW" : "NHWC")
                             : fmt::format("give the shape with channels {}", last ? "first" : "last");
    std::string detail = permuted ? fmt::format("the model reorders its input and wants {} where the input has {}",
                                                plural(wanted, "channel"), got)
                                  : fmt::format("the model wants channels first ({}), the input has them last",
                                                plural(wanted, "channel"));
    return {"layout", detail, advice};
  }
  std::string detail = fmt::format("the model wants {}, the input has {}", plural(wanted, "channel"), got);
  if (origin == Origin::Shapes)
    return {"channels", detail, fmt::format("give --input-shape with {}", plural(wanted, "channel"))};
  if (wanted == 1) return {"channels", detail, "a grey (1-channel) model: give --channels L"};
  if (wanted == 3 && got == 1) return {"channels", detail, "a colour model: give --channels RGB"};
  return {"channels", detail,
          "check the model's expected channels (mtool inspect); photos give 3, or 1 with --channels L"};
}

// A dtype as LibTorch's messages spell it ("Byte", "unsigned char", "c10::Half") in the names mtool's
// --dtype and inspect use; a spelling not listed is kept as it is.
std::string dtype_flag_name(const std::string& spelled) {
  static const std::pair<const char*, const char*> kNames[] = {{"Byte", "uint8"},        {"unsigned char", "uint8"},
                                                               {"Char", "int8"},         {"signed char", "int8"},
                                                               {"Float", "float32"},     {"float", "float32"},
                                                               {"Half", "float16"},      {"c10::Half", "float16"},
                                                               {"Double", "float64"},    {"double", "float64"},
                                                               {"Long", "int64"},        {"long int", "int64"},
                                                               {"Int", "int32"},         {"int", "int32"},
                                                               {"Short", "int16"},       {"short int", "int16"},
                                                               {"BFloat16", "bfloat16"}, {"c10::BFloat16", "bfloat16"},
                                                               {"Bool", "bool"},         {"bool", "bool"}};
  for (const auto& [spelling, name] : kNames) {
    if (spelled == spelling) return name;
  }
  return spelled;
}

// "Input type (float) and bias type (c10::Half) should be the same", "expected scalar type Float but found Byte",
// "\"slow_conv2d_cpu\" not implemented for 'Half'". `one` and `other` are the two types a message names (either may
// be empty); which of them is the input's depends on the message ("expected scalar type Byte but found Float" for a
// uint8 input to a float convolution), so the model's is the one that is not the input's.
InputRejection dtype_mismatch(std::string_view given, const std::string& one, const std::string& other, Origin origin) {
  std::string dtype = dtype_flag_name(std::string(given));
  std::string wanted = dtype_flag_name(one);
  if (wanted == dtype && !other.empty()) wanted = dtype_flag_name(other);
  if (wanted == dtype) wanted.clear();
  std::string detail = wanted.empty() ? fmt::format("the model cannot take {} input", dtype)
                                      : fmt::format("the model wants {}, the input is {}", wanted, dtype);
  if (wanted == "float16")
    return {"dtype", detail,
            "a float16 model: LibTorch 1.13 runs it on CPU only in float32 (convert it with .float())"};
  if (origin == Origin::Photos)
    return {"dtype", detail, fmt::format("give --dtype {}", dtype == "uint8" ? "float32" : "uint8")};
  return {"dtype", detail, "the model needs inputs of its own dtype"};
}

// aten's view/reshape: "shape '[1, 400]' is invalid for input of size 1600". A fixed leading 1 with the size
// a whole multiple of the rest: the model was written for batch 1.
bool is_batch_reshape(const std::smatch& match, const std::vector<int64_t>& shape) {
  if (shape.empty() || shape[0] <= 1) return false;
  std::vector<int64_t> target = numbers_in(match[1].str());
  int64_t size = std::stoll(match[2].str());
  if (target.empty() || target[0] != 1) return false;
  int64_t rest = 1;
  for (size_t i = 1; i < target.size(); ++i) rest *= target[i] == -1 ? 1 : target[i];
  return rest > 0 && size % rest == 0 && (target.size() == 2 && target[1] == -1 ? true : size / rest == shape[0]);
}

InputRejection size_mismatch(std::string detail, Origin origin) {
  return {"size", std::move(detail),
          origin == Origin::Photos ? "give the size it was trained on: --resize and --crop, or `mtool recipe set`"
                                   : "give --input-shape with the size it was trained on"};
}

}  // namespace

InputRejection classify_rejection(std::string_view error_view, const std::vector<int64_t>& shape,
                                  std::string_view dtype, Origin origin) {
  std::string error(error_view);
  std::smatch match;
  // The two failures explain knows are recognised by its catalog, the one list of their messages.
  for (const Finding& finding : explain_text(error).findings) {
    if (finding.confidence != Confidence::Matches) continue;
    if (finding.code == "input-channel-mismatch" && !finding.value("got_channels").empty()) {
      return channel_mismatch(finding, shape, origin);
    }
    if (finding.code == "input-rank-mismatch") {
      return {"rank", fmt::format("the model wants another number of dimensions than the input's {}", shape.size()),
              origin == Origin::Photos ? "the model does not take images [N, C, H, W]"
                                       : "give --input-shape with as many dimensions as the model's first layer takes"};
    }
  }
  static const std::regex type_pair(
      R"(Input type \(([^)]*)\) and (?:weight|bias) type \(([^)]*)\) should be the same)");
  if (std::regex_search(error, match, type_pair)) return dtype_mismatch(dtype, match[2].str(), match[1].str(), origin);
  static const std::regex scalar_type(R"(expected scalar type (\w+) but found (\w+))");
  if (std::regex_search(error, match, scalar_type))
    return dtype_mismatch(dtype, match[1].str(), match[2].str(), origin);
  static const std::regex not_implemented(R"(not implemented for '(\w+)')");
  if (std::regex_search(error, match, not_implemented)) return dtype_mismatch(dtype, match[1].str(), "", origin);
  static const std::regex reshape(R"(shape '\[([^\]]*)\]' is invalid for input of size (\d+))");
  if (std::regex_search(error, match, reshape)) {
    if (is_batch_reshape(match, shape)) {
      return {"batch", "the model reshapes to a batch of 1",
              origin == Origin::Photos ? "give --batch 1" : "give --input-shape with batch size 1"};
    }
    return size_mismatch("the model reshapes to a fixed size the input does not have", origin);
  }
  static const std::regex matmul(R"(mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\))");
  if (std::regex_search(error, match, matmul)) {
    return size_mismatch(
        fmt::format("a fully connected layer wants {} features, the input gives {}", match[3].str(), match[2].str()),
        origin);
  }
  static const std::regex too_small(R"(Kernel size can't be greater than actual input size|Output size is too small)");
  if (std::regex_search(error, match, too_small))
    return size_mismatch("the input is smaller than a layer's kernel", origin);
  static const std::regex tensor_sizes(
      R"(The size of tensor a \(\d+\) must match the size of tensor b|Sizes of tensors must match)");
  if (std::regex_search(error, match, tensor_sizes))
    return size_mismatch("a layer's sizes do not fit the input's", origin);
  return {"unknown", "",
          origin == Origin::Photos ? "check the recipe: --show-recipe; --resize, --crop, --layout and --dtype change it"
                                   : "check the input shapes the model takes (mtool inspect)"};
}

std::string describe_rejection(std::string_view error, const std::vector<int64_t>& shape, std::string_view dtype,
                               InputOrigin origin) {
  InputRejection why = classify_rejection(error, shape, dtype, origin);
  std::string given = fmt::format("[{}] {}", fmt::join(shape, ", "), dtype);
  if (why.cause == "unknown") return fmt::format("the model rejected a {} input: {} ({})", given, error, why.advice);
  return fmt::format("the model rejected a {} input ({}: {}): {} ({})", given, why.cause, why.detail, error,
                     why.advice);
}

}  // namespace mtool
