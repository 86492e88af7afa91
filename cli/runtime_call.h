#pragma once
// One JSON request to the runtime library, its answer parsed; an answer
// {"error": ...} becomes an Error(Format) carrying LibTorch's first line.
#include <nlohmann/json.hpp>
#include <functional>
#include <string>

namespace mtool::cli {

nlohmann::json call_runtime(const std::string& command, const nlohmann::json& request);

// A streaming command ("score"): `on_event` sees each event as it comes.
void stream_runtime(const std::string& command, const nlohmann::json& request,
                    const std::function<void(const nlohmann::json&)>& on_event);

}  // namespace mtool::cli
