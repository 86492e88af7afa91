#pragma once
// What `mtool bench` will do with each model, decided without LibTorch: which
// loader reads it and what inputs its forward takes. The measuring itself is
// in the runtime library (bench_runner.cpp).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

using Shape = std::vector<int64_t>;

// One argument of forward that bench and verification can make up.
struct ForwardArgument {
  std::string name;
  std::string type;  // "Tensor", "List[Tensor]", "int", "float" or "bool"
  bool operator==(const ForwardArgument&) const = default;
};

struct BenchPlan {
  std::string path;
  uint64_t size_bytes = 0;
  std::string loader;         // "jit" (torch::jit::load) or "mobile" (_load_for_mobile)
  std::vector<Shape> inputs;  // the float32 tensors given to forward, in order (a list's elements in place)
  // Set when forward takes more than tensors: each argument in order, as the runtime makes it:
  // {"name", "type": "Tensor", "shape"}, {"name", "type": "List[Tensor]", "shapes"} or
  // {"name", "type": "int"|"float"|"bool", "value", "assumed"}. Null: one tensor per shape in `inputs`.
  nlohmann::json arguments;
  std::string input_source;   // "--input-shape", "extra/mtool.json", "--image ...", or the assumption made
  bool assumed = false;       // the shape was derived from the weights, not given or stored
  bool quantized = false;     // inspect's quantized-model diagnosis: the quantized engine matters
  std::string image;          // --image: the photo fed through the recipe
  nlohmann::json recipe;      // {"resize", "crop", "mean", "std"} for the photo
};

// "jit" for TorchScript, "mobile" for lite models; anything else throws
// Error(Format): "<path>: cannot be <action>: <inspect's refusal>".
std::string loader_for(const ModelReport& report, const char* action);

// "1,3,224,224" -> {1, 3, 224, 224}; throws Error(Usage) on anything else.
Shape parse_shape(const std::string& text);

// The forward signature's tensor arguments without defaults, in order:
// "(x: Tensor, scale: float=1.) -> Tensor" -> {"x"}; nullopt when an argument
// is not a Tensor (the benchmark cannot make it up) or the signature is unknown.
std::optional<std::vector<std::string>> required_tensor_arguments(const std::optional<Signature>& signature);

// The forward signature's arguments without defaults, in order, when each is
// one bench and verification can make: a Tensor, a List[Tensor] (also written
// Tensor[]), an int, a float or a bool; nullopt otherwise (Dict, str, Optional...).
std::optional<std::vector<ForwardArgument>> required_arguments(const std::optional<Signature>& signature);

// "scale=0.5" (--input-value) -> {"scale", "0.5"}; Error(Usage) without a name and a value.
std::pair<std::string, std::string> parse_input_value(const std::string& text);
// Each of `texts` by parse_input_value.
std::vector<std::pair<std::string, std::string>> parse_input_values(const std::vector<std::string>& texts);

// What the inputs are, for people: "[[1, 3, 224, 224]]" for tensors alone, else
// each argument, "x: [1, 3, 16, 16], steps: 2, scale: 1.5 (assumed)".
std::string describe_inputs(const BenchPlan& plan);

// Throws Error(Usage) with one sentence saying what is missing: a file
// LibTorch cannot run (inspect's diagnosis), or input shapes it cannot infer.
// Without --input-shape or a stored recipe, a forward of one tensor whose
// first 4-D weight is a convolution's gets [1, C, 224, 224] (C its input
// channels), with `assumed` set and the assumption in `input_source`.
// With `image`, the input is that photo prepared by the model's stored recipe
// (extra/mtool.json) or torchvision's ImageNet recipe.
//
// Arguments other than tensors (forward(x: Tensor, scale: float), forward(xs:
// List[Tensor])): the shapes fill the Tensor arguments in order, and a
// List[Tensor] argument takes those left over (one at least; only one list
// argument can be fed so). An int, float or bool takes its value from
// `input_values` ({name, text}, --input-value NAME=VALUE), else 1, 1.0 or
// false, with `assumed` set and the assumption in `input_source`.
BenchPlan plan_bench(const ModelReport& report, const std::vector<Shape>& input_shapes, const std::string& image = "",
                     const std::vector<std::pair<std::string, std::string>>& input_values = {});

}  // namespace mtool
