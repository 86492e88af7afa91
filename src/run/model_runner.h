#pragma once
// Loading and running a model of either kind (runtime library only), shared
// by bench and backport's verification.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <torch/csrc/jit/mobile/module.h>
#include <torch/script.h>

namespace mtool {

class Model {
 public:
  // loader: "jit" (torch::jit::load) or "mobile" (_load_for_mobile).
  Model(const std::string& path, const std::string& loader);
  c10::IValue forward(const std::vector<c10::IValue>& inputs);

 private:
  bool mobile_;
  std::optional<torch::jit::Module> script_;
  std::optional<torch::jit::mobile::Module> lite_;
};

// The inputs a request describes: {"inputs": [[shape]...]} as deterministic
// random float32 tensors, or {"image": path, "recipe": {...}} as a photo; with
// {"arguments": [...]} (BenchPlan::arguments), each argument in turn: tensors,
// lists of them, ints, floats and bools (the photo is the first Tensor).
std::vector<c10::IValue> make_inputs(const nlohmann::json& spec);

// "[1, 1000] float", "tuple of 2", ...
std::string describe_output(const c10::IValue& value);

// The largest absolute difference between two outputs of the same structure;
// throws std::runtime_error when their structures differ.
double max_abs_difference(const c10::IValue& a, const c10::IValue& b);

// Sets LibTorch's quantized engine from a request's "qengine" ("qnnpack", "onednn", "fbgemm"; absent:
// qnnpack, as phones run quantized models, when this LibTorch has it) before a model loads, and returns
// the one in effect, lower case. x86 LibTorch's own default, oneDNN, gives slightly different quantized
// results, and aborts on the D2Go demo detectors (heap corruption, in Python too).
// Throws Error(Usage) for an engine this LibTorch was built without, naming those it has.
std::string use_quantized_engine(const nlohmann::json& request);

// The sentence that says what went wrong in a LibTorch message: its first
// line (they start with a blank line and end with a backtrace), or for a
// TorchScript interpreter error, the cause on its last line.
std::string first_line(const char* text);

}  // namespace mtool
