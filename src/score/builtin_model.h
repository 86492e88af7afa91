#pragma once
// mtool's own image-quality model (data/iqa_model.pt, trained by
// scripts/train_iqa.py; see docs/iqa-model-card.md), embedded in the binary
// so `mtool score photo.jpg` works with no model given.
#include <string_view>

namespace mtool {

// The TorchScript archive's bytes, as committed.
std::string_view builtin_quality_model();

}  // namespace mtool
