#pragma once
// What a model's output means for one image of a batch (runtime library
// only): class probabilities with names, a score, a score distribution
// (NIMA-style), an image-quality verdict, or, for anything else, each
// tensor's shape, dtype and summary statistics. Never throws on a strange
// output; the JSON it returns is documented in docs/score-json.md.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <ATen/core/ivalue.h>

namespace mtool {

struct OutputHints {
  std::vector<std::string> labels;  // class names given or stored (ImageNet's are used for 1000 classes)
  std::string labels_source;
  int top_k = 5;
  // "quality": the output is (score [N], defect logits [N,D]) as mtool's
  // built-in model writes it; `defects` names the D classes.
  std::string kind;
  std::vector<std::string> defects;
};

// `index` is the image's position in a batch of `batch` images.
nlohmann::json interpret_output(const c10::IValue& output, int64_t index, int64_t batch, const OutputHints& hints);

}  // namespace mtool
