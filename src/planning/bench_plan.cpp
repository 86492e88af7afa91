#include "planning/bench_plan.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>

#include "io/error.h"
#include "score/recipe.h"

namespace mtool {

namespace {

// A recipe stored in the archive (extra/mtool.json, see `mtool recipe`) may
// name the input: {"input_shape": [1, 3, 224, 224]} or a list of them, or
// {"crop": 224} for one NCHW image.
std::vector<Shape> shapes_from_recipe(const ModelReport& report) {
  if (const std::string* text = stored_recipe_text(report)) {
    nlohmann::json recipe = nlohmann::json::parse(*text, nullptr, false);
    if (!recipe.is_object()) return {};
    try {
      if (recipe.contains("input_shape")) {
        const auto& value = recipe["input_shape"];
        if (!value.empty() && value[0].is_array()) return value.get<std::vector<Shape>>();
        return {value.get<Shape>()};
      }
      if (recipe.contains("crop") || recipe.contains("resize")) {
        Recipe parsed;
        apply_recipe_json(parsed, recipe, report.path + " extra/mtool.json");
        Shape shape = recipe_input_shape(parsed);
        if (!shape.empty()) return {shape};
      }
    } catch (const nlohmann::json::exception&) {
    } catch (const Error&) {
    }
  }
  return {};
}

// The one image input a model's first convolution implies: its weight is
// [out, in / groups, kh, kw] and a first layer is not grouped, so `in` is the
// photo's channel count. The size is ImageNet's 224, which a model with a
// fixed-size classifier may reject: the caller says it was assumed.
std::optional<Shape> shape_from_first_convolution(const ModelReport& report) {
  if (!report.tensors) return std::nullopt;
  const std::vector<int64_t>& weight = report.tensors->first_4d_shape;
  if (weight.size() != 4 || weight[1] < 1 || weight[1] > 4 || weight[2] > 15 || weight[3] > 15) return std::nullopt;
  return Shape{1, weight[1], 224, 224};
}

std::string trim(std::string_view text) {
  size_t start = text.find_first_not_of(' ');
  size_t end = text.find_last_not_of(' ');
  return start == std::string_view::npos ? "" : std::string(text.substr(start, end - start + 1));
}

}  // namespace

Shape parse_shape(const std::string& text) {
  Shape shape;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find_first_of(",x", start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t dim = 0;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (error != std::errc() || end != part.data() + part.size() || dim <= 0 || dim > (1 << 24)) {
      throw Error(ErrorKind::Usage, fmt::format("--input-shape '{}': expected positive sizes like 1,3,224,224", text));
    }
    shape.push_back(dim);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return shape;
}

std::optional<std::vector<std::string>> required_tensor_arguments(const std::optional<Signature>& signature) {
  if (!signature) return std::nullopt;
  std::vector<std::string> names;
  for (const Argument& argument : signature->arguments) {
    if (argument.default_value) continue;  // defaults need no input
    if (argument.type != "Tensor") return std::nullopt;
    names.push_back(argument.name);
  }
  return names;
}

std::optional<std::vector<ForwardArgument>> required_arguments(const std::optional<Signature>& signature) {
  if (!signature) return std::nullopt;
  std::vector<ForwardArgument> found;
  for (const Argument& argument : signature->arguments) {
    if (argument.default_value) continue;  // defaults need no input
    // TorchScript code writes List[Tensor]; schemas (lite bytecode, LibTorch's messages) write Tensor[].
    std::string type = argument.type == "Tensor[]" ? "List[Tensor]" : argument.type;
    if (type != "Tensor" && type != "List[Tensor]" && type != "int" && type != "float" && type != "bool") {
      return std::nullopt;
    }
    found.push_back({argument.name, type});
  }
  return found;
}

std::pair<std::string, std::string> parse_input_value(const std::string& text) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw Error(ErrorKind::Usage, fmt::format("--input-value '{}': expected NAME=VALUE, e.g. scale=0.5", text));
  }
  return {trim(text.substr(0, equals)), trim(text.substr(equals + 1))};
}

std::vector<std::pair<std::string, std::string>> parse_input_values(const std::vector<std::string>& texts) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const std::string& text : texts) values.push_back(parse_input_value(text));
  return values;
}

namespace {

// The JSON value the runtime makes an int, float or bool argument from.
nlohmann::json scalar_value(const std::string& name, const std::string& type, const std::string& text) {
  auto refuse = [&] {
    return Error(ErrorKind::Usage,
                 fmt::format("--input-value {}={}: {} is {} {}", name, text, name, type == "int" ? "an" : "a", type));
  };
  if (type == "int") {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) throw refuse();
    return value;
  }
  if (type == "float") {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) throw refuse();
    return value;  // a JSON float even when written "2": the runtime passes a double, as TorchScript wants
  }
  if (text == "true" || text == "True" || text == "1") return true;
  if (text == "false" || text == "False" || text == "0") return false;
  throw refuse();
}

// What an int, float or bool argument gets when no --input-value names it.
std::string default_value(const std::string& type) {
  if (type == "int") return "1";
  if (type == "float") return "1.0";
  return "false";
}

bool is_scalar(const std::string& type) { return type == "int" || type == "float" || type == "bool"; }

// The values given with --input-value, each checked against the argument it names.
std::map<std::string, std::string> given_values(const std::vector<ForwardArgument>& arguments,
                                                const std::vector<std::pair<std::string, std::string>>& values,
                                                const std::string& signature) {
  std::vector<std::string> scalars;
  for (const ForwardArgument& argument : arguments) {
    if (is_scalar(argument.type)) scalars.push_back(argument.name);
  }
  std::map<std::string, std::string> given;
  for (const auto& [name, text] : values) {
    if (std::find(scalars.begin(), scalars.end(), name) == scalars.end()) {
      throw Error(
          ErrorKind::Usage,
          fmt::format("--input-value {}={}: {} has no int, float or bool argument {} ({})", name, text, signature, name,
                      scalars.empty() ? "it has none" : fmt::format("it has {}", fmt::join(scalars, ", "))));
    }
    given[name] = text;
  }
  return given;
}

// Spreads the shapes over forward's arguments (see plan_bench) and gives each
// int, float and bool its value.
void assign_arguments(BenchPlan& plan, const std::vector<ForwardArgument>& arguments,
                      const std::vector<std::pair<std::string, std::string>>& values, const std::string& signature) {
  std::map<std::string, std::string> given = given_values(arguments, values, signature);
  size_t tensors = 0;
  size_t lists = 0;
  for (const ForwardArgument& argument : arguments) {
    tensors += argument.type == "Tensor" ? 1 : 0;
    lists += argument.type == "List[Tensor]" ? 1 : 0;
  }
  size_t shapes = plan.inputs.size();
  if (lists == 0 && tensors != shapes) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} takes {} tensor inputs but {} shapes were given", plan.path,
                                              signature, tensors, shapes));
  }
  if (lists > 1) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} takes {} List[Tensor] arguments; mtool can feed one, from the "
                                              "shapes left after the Tensor arguments'",
                                              plan.path, signature, lists));
  }
  if (lists == 1 && shapes < tensors + 1) {
    throw Error(ErrorKind::Usage,
                fmt::format("{}: {} takes {} tensor input{} and a List[Tensor]: give {} --input-shape "
                            "or more (the list takes those after the tensors')",
                            plan.path, signature, tensors, tensors == 1 ? "" : "s", tensors + 1));
  }
  if (lists == 0 && tensors == arguments.size()) return;  // tensors alone: `inputs` says it all
  size_t next = 0;
  std::vector<std::string> assumed;
  plan.arguments = nlohmann::json::array();
  for (const ForwardArgument& argument : arguments) {
    nlohmann::json made = {{"name", argument.name}, {"type", argument.type}};
    if (argument.type == "Tensor") {
      made["shape"] = plan.inputs[next++];
    } else if (argument.type == "List[Tensor]") {
      size_t count = shapes - tensors;
      made["shapes"] = std::vector<Shape>(plan.inputs.begin() + static_cast<std::ptrdiff_t>(next),
                                          plan.inputs.begin() + static_cast<std::ptrdiff_t>(next + count));
      next += count;
    } else {
      auto value = given.find(argument.name);
      bool chosen = value != given.end();
      std::string text = chosen ? value->second : default_value(argument.type);
      made["value"] = scalar_value(argument.name, argument.type, text);
      made["assumed"] = !chosen;
      if (!chosen) assumed.push_back(fmt::format("{}={}", argument.name, text));
    }
    plan.arguments.push_back(made);
  }
  if (!assumed.empty()) {
    plan.assumed = true;
    plan.input_source += fmt::format(
        "; assumed {} (1, 1.0 or false where not given); --input-value NAME=VALUE sets "
        "them",
        fmt::join(assumed, ", "));
  }
}

}  // namespace

std::string describe_inputs(const BenchPlan& plan) {
  if (!plan.arguments.is_array()) return nlohmann::json(plan.inputs).dump();
  std::vector<std::string> parts;
  for (const auto& argument : plan.arguments) {
    std::string name = argument.value("name", "");
    if (argument.contains("shape")) {
      parts.push_back(fmt::format("{}: {}", name, argument["shape"].dump()));
    } else if (argument.contains("shapes")) {
      parts.push_back(fmt::format("{}: {}", name, argument["shapes"].dump()));
    } else {
      parts.push_back(fmt::format("{}: {}{}", name, argument["value"].dump(),
                                  argument.value("assumed", false) ? " (assumed)" : ""));
    }
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string loader_for(const ModelReport& report, const char* action) {
  switch (report.format) {
    case ModelFormat::TorchScript: return "jit";
    case ModelFormat::Lite:
    case ModelFormat::LiteFlatbuffer: return "mobile";
    default: break;
  }
  throw Error(ErrorKind::Format, fmt::format("{}: cannot be {}: {}", report.path, action, report.refusal()));
}

BenchPlan plan_bench(const ModelReport& report, const std::vector<Shape>& input_shapes, const std::string& image,
                     const std::vector<std::pair<std::string, std::string>>& input_values) {
  BenchPlan plan;
  plan.path = report.path;
  plan.size_bytes = report.size_bytes;
  plan.loader = loader_for(report, "benchmarked");
  plan.quantized = report.has_diagnosis("quantized-model");
  std::optional<std::vector<ForwardArgument>> arguments;
  if (report.forward) arguments = required_arguments(report.forward->signature);
  // The one argument a photo or a derived shape can stand for: a lone Tensor beside any ints, floats and bools.
  size_t tensor_like = 0;
  bool lone_tensor = false;
  if (arguments) {
    for (const ForwardArgument& argument : *arguments) {
      if (is_scalar(argument.type)) continue;
      ++tensor_like;
      lone_tensor = argument.type == "Tensor";
    }
    lone_tensor = lone_tensor && tensor_like == 1;
  }
  if (!image.empty()) {
    if (!input_shapes.empty()) throw Error(ErrorKind::Usage, "give either --image or --input-shape, not both");
    plan.image = image;
    ResolvedRecipe resolved = resolve_recipe(report, nlohmann::json::object());
    plan.recipe = recipe_to_json(resolved.recipe);
    plan.inputs = {recipe_input_shape(resolved.recipe)};
    if (plan.inputs[0].empty()) plan.inputs = {{1, 3, 0, 0}};  // the photo decides
    plan.input_source = "--image " + image + " (recipe: " + resolved.source + ")";
  } else if (!input_shapes.empty()) {
    plan.inputs = input_shapes;
    plan.input_source = "--input-shape";
  } else {
    plan.inputs = shapes_from_recipe(report);
    plan.input_source = "extra/mtool.json";
    std::optional<Shape> derived = shape_from_first_convolution(report);
    if (plan.inputs.empty() && derived && lone_tensor) {
      plan.inputs = {*derived};
      plan.assumed = true;
      int64_t channels = (*derived)[1];
      plan.input_source = fmt::format(
          "assumed: {} channel{} from the first convolution's weight, 224x224 as ImageNet "
          "models take; --input-shape sets it",
          channels, channels == 1 ? "" : "s");
    }
  }
  std::string signature = report.forward ? "forward" + render_signature(report.forward->signature) : "forward";
  if (!input_values.empty() && !arguments) {
    throw Error(ErrorKind::Usage, fmt::format("{}: --input-value: {} names no int, float or bool argument that mtool "
                                              "can feed",
                                              report.path, signature));
  }
  if (plan.inputs.empty() && !(arguments && tensor_like == 0)) {
    throw Error(ErrorKind::Usage,
                fmt::format("{}: {} has no stored input shape; pass one --input-shape per tensor input "
                            "(e.g. --input-shape 1,3,224,224)", report.path, signature));
  }
  if (report.forward && !arguments) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} takes inputs other than tensors, which mtool cannot make up "
                                              "(it feeds Tensor, List[Tensor], int, float and bool arguments)",
                                              report.path, signature));
  }
  if (arguments) assign_arguments(plan, *arguments, input_values, signature);
  return plan;
}

}  // namespace mtool
