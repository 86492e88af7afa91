#pragma once
// The inputs backport and convert run both models on to compare them, decided
// without LibTorch from what inspect read and the flags given.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

// --input-shape texts, else the stored recipe, else a shape derived from the
// first convolution ("assumed": true, "source" says how), with --input-value
// texts for int, float and bool arguments ("arguments", "description": see
// plan_bench). {"not_compared": why} when none can be had and none were given;
// inputs that were given and do not fit throw Error(Usage), theirs to fix.
nlohmann::json verification_inputs(const ModelReport& report, const std::vector<std::string>& input_shapes,
                                   const std::vector<std::string>& input_values);

}  // namespace mtool
