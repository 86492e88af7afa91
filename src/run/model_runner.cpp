#include "run/model_runner.h"

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <torch/csrc/jit/mobile/import.h>

#include "run/image_input.h"

namespace mtool {

using Json = nlohmann::json;

// A loaded model of either kind, with one forward call.
Model::Model(const std::string& path, const std::string& loader) : mobile_(loader == "mobile") {
    if (mobile_) {
      lite_ = torch::jit::_load_for_mobile(path);
    } else {
      script_ = torch::jit::load(path);
      script_->eval();
    }
}

c10::IValue Model::forward(const std::vector<c10::IValue>& inputs) {
  torch::InferenceMode inference;
  std::vector<c10::IValue> copy = inputs;
  return mobile_ ? lite_->forward(copy) : script_->forward(copy);
}

std::vector<c10::IValue> make_inputs(const Json& spec) {
  if (spec.contains("image") && spec["image"].is_string() && !spec["image"].get<std::string>().empty()) {
    Recipe recipe;
    apply_recipe_json(recipe, spec["recipe"], "recipe");
    return {prepare_image(spec["image"].get<std::string>(), recipe).tensor};
  }
  // Deterministic, so runs and models see the same data.
  torch::manual_seed(0);
  std::vector<c10::IValue> inputs;
  for (const auto& shape : spec["inputs"]) inputs.emplace_back(torch::rand(shape.get<std::vector<int64_t>>()));
  return inputs;
}

std::string describe_output(const c10::IValue& value) {
  if (value.isTensor()) {
    std::ostringstream out;
    out << value.toTensor().sizes() << " " << value.toTensor().dtype();
    return out.str();
  }
  if (value.isTuple()) return "tuple of " + std::to_string(value.toTupleRef().elements().size());
  if (value.isList()) return "list of " + std::to_string(value.toListRef().size());
  if (value.isGenericDict()) return "dict of " + std::to_string(value.toGenericDict().size());
  return value.tagKind();
}

std::string first_line(const char* text) {
  std::string message(text);
  // The TorchScript interpreter's errors open with "The following operation
  // failed", then a traceback through the model's code; the cause is the last line.
  if (message.find("Traceback of TorchScript") != std::string::npos) {
    std::string cause = message.substr(0, message.find_last_not_of(" \n") + 1);
    cause = cause.substr(cause.rfind('\n') + 1);  // npos + 1 == 0: a single line stays whole
    for (const char* prefix : {"RuntimeError: ", "Error: "}) {
      if (cause.starts_with(prefix)) cause = cause.substr(std::strlen(prefix));
    }
    return cause;
  }
  size_t start = message.find_first_not_of(" \n");
  message = start == std::string::npos ? "" : message.substr(start);
  return message.substr(0, message.find('\n'));
}

namespace {
void collect_tensors(const c10::IValue& value, std::vector<torch::Tensor>& out) {
  if (value.isTensor()) {
    out.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) collect_tensors(element, out);
  } else if (value.isList()) {
    for (const auto& element : value.toListRef()) collect_tensors(element, out);
  } else if (value.isGenericDict()) {
    for (const auto& entry : value.toGenericDict()) collect_tensors(entry.value(), out);
  }
}
}  // namespace

double max_abs_difference(const c10::IValue& a, const c10::IValue& b) {
  std::vector<torch::Tensor> left;
  std::vector<torch::Tensor> right;
  collect_tensors(a, left);
  collect_tensors(b, right);
  if (left.size() != right.size()) throw std::runtime_error("the two models return different numbers of tensors");
  double worst = 0;
  for (size_t i = 0; i < left.size(); ++i) {
    if (left[i].sizes() != right[i].sizes()) throw std::runtime_error("the two models return tensors of different shapes");
    if (left[i].numel() == 0) continue;
    torch::Tensor l = left[i].is_quantized() ? left[i].dequantize() : left[i];
    torch::Tensor r = right[i].is_quantized() ? right[i].dequantize() : right[i];
    worst = std::max(worst, (l.to(torch::kFloat64) - r.to(torch::kFloat64)).abs().max().item<double>());
  }
  return worst;
}

}  // namespace mtool
