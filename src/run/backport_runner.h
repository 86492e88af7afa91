#pragma once
// LibTorch's side of `mtool backport` (runtime library only).
#include <nlohmann/json.hpp>

namespace mtool {

// {"input", "output", "to"} -> {"bytecode_version"}: LibTorch's own backport
// machinery writes `output`, whose version is then read back by LibTorch.
nlohmann::json run_backport(const nlohmann::json& request);

// {"reference", "candidate", "verify", "qengine", "model": {inputs spec}} ->
// {"loaded": true, "qengine", "max_abs_diff", "output"}: sets the quantized
// engine (use_quantized_engine), loads the candidate with _load_for_mobile and,
// when asked, runs both on the same inputs.
nlohmann::json run_compare(const nlohmann::json& request);

// {"path", "loader", "qengine", "model": {inputs spec}} -> {"output", "shape" (a tensor output's)}: one
// forward, for checks that need to know what a model returns (recipe set --labels).
nlohmann::json run_output(const nlohmann::json& request);

}  // namespace mtool
