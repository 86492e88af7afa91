#pragma once
// LibTorch's side of `mtool convert` (runtime library only).
#include <nlohmann/json.hpp>

namespace mtool {

// {"input", "output", "optimize", "flatbuffer", "qengine"} -> {"bytecode_version"}:
// torch::jit::load, optionally optimizeForMobile (the passes Python's
// optimize_for_mobile applies), then _save_for_mobile.
nlohmann::json run_convert(const nlohmann::json& request);

}  // namespace mtool
