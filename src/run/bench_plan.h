#pragma once
// What `mtool bench` will do with each model, decided without LibTorch: which
// loader reads it and what inputs its forward takes. The measuring itself is
// in the runtime library (bench_runner.cpp).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

using Shape = std::vector<int64_t>;

struct BenchPlan {
  std::string path;
  uint64_t size_bytes = 0;
  std::string loader;         // "jit" (torch::jit::load) or "mobile" (_load_for_mobile)
  std::vector<Shape> inputs;  // one float32 tensor per forward argument
  std::string input_source;   // "--input-shape", "extra/mtool.json", "--image ..."
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
// is not a Tensor (the benchmark cannot make it up).
std::optional<std::vector<std::string>> required_tensor_arguments(const std::string& signature);

// Throws Error(Usage) with one sentence saying what is missing: a file
// LibTorch cannot run (inspect's diagnosis), or input shapes it cannot infer.
// With `image`, the input is that photo prepared by the model's stored recipe
// (extra/mtool.json) or torchvision's ImageNet recipe.
BenchPlan plan_bench(const ModelReport& report, const std::vector<Shape>& input_shapes, const std::string& image = "");

}  // namespace mtool
