#include "run/model_runner.h"

#include <ATen/Context.h>
#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <sstream>
#include <stdexcept>
#include <torch/csrc/jit/mobile/import.h>

#include "io/error.h"
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

namespace {

// One argument as plan_bench describes it; `photo`, when defined, stands for the first Tensor.
c10::IValue make_argument(const Json& argument, std::optional<torch::Tensor>& photo) {
  std::string type = argument["type"];
  if (type == "Tensor") {
    if (photo) {
      torch::Tensor tensor = *photo;
      photo.reset();
      return tensor;
    }
    return torch::rand(argument["shape"].get<std::vector<int64_t>>());
  }
  if (type == "List[Tensor]") {
    c10::List<torch::Tensor> list;
    for (const auto& shape : argument["shapes"]) list.push_back(torch::rand(shape.get<std::vector<int64_t>>()));
    return list;
  }
  // TorchScript checks the kind exactly: a float argument must get a double, never an int.
  if (type == "float") return argument["value"].get<double>();
  if (type == "int") return argument["value"].get<int64_t>();
  if (type == "bool") return argument["value"].get<bool>();
  throw std::runtime_error("mtool cannot make an input of type " + type);
}

}  // namespace

std::vector<c10::IValue> make_inputs(const Json& spec) {
  std::optional<torch::Tensor> photo;
  if (spec.contains("image") && spec["image"].is_string() && !spec["image"].get<std::string>().empty()) {
    Recipe recipe;
    apply_recipe_json(recipe, spec["recipe"], "recipe");
    photo = prepare_image(spec["image"].get<std::string>(), recipe).tensor;
    if (!spec.contains("arguments") || !spec["arguments"].is_array()) return {*photo};
  }
  // Deterministic, so runs and models see the same data: the tensors drawn in argument order,
  // as torch.manual_seed(0) then torch.rand for each in Python.
  torch::manual_seed(0);
  std::vector<c10::IValue> inputs;
  if (spec.contains("arguments") && spec["arguments"].is_array()) {
    for (const auto& argument : spec["arguments"]) inputs.push_back(make_argument(argument, photo));
    return inputs;
  }
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

namespace {

std::string engine_name(at::QEngine engine) {
  std::string name = c10::toString(engine);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

}  // namespace

std::string use_quantized_engine(const Json& request) {
  std::string wanted = request.value("qengine", "");
  const std::vector<at::QEngine>& supported = at::globalContext().supportedQEngines();
  // Phones run QNNPACK: quantized models are run as they will be, unless asked otherwise.
  if (wanted.empty() && std::find(supported.begin(), supported.end(), at::QEngine::QNNPACK) != supported.end()) {
    wanted = "qnnpack";
  }
  if (!wanted.empty()) {
    std::vector<std::string> built;
    for (at::QEngine engine : at::globalContext().supportedQEngines()) {
      if (engine == at::QEngine::NoQEngine) continue;
      built.push_back(engine_name(engine));
      if (engine_name(engine) == wanted) at::globalContext().setQEngine(engine);
    }
    if (std::find(built.begin(), built.end(), wanted) == built.end()) {
      throw Error(ErrorKind::Usage, fmt::format("--qengine {}: this LibTorch has no such quantized engine (it has {})",
                                                wanted, fmt::join(built, ", ")));
    }
  }
  return engine_name(at::globalContext().qEngine());
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
