#pragma once
// One JSON request to the runtime library, its answer parsed; an answer
// {"error": ...} becomes an Error(Format) carrying LibTorch's first line.
#include <nlohmann/json.hpp>
#include <string>

namespace mtool::cli {

nlohmann::json call_runtime(const std::string& command, const nlohmann::json& request);

}  // namespace mtool::cli
