#pragma once
// One JSON request to the runtime library, its answer parsed; an answer
// {"error": ...} becomes an Error(Format) carrying LibTorch's first line.
#include <nlohmann/json.hpp>
#include <functional>
#include <string>

namespace mtool::cli {

// With `about` (the model's path), an error reads "PATH: LibTorch's line",
// and a missing custom operator points to inspect's diagnosis and its fix.
nlohmann::json call_runtime(const std::string& command, const nlohmann::json& request, const std::string& about = "");

// A streaming command ("score", "bench"): `on_event` sees each event as it comes; returns the final answer.
// With `about`, errors read as call_runtime's do. Errors `on_event` throws pass unchanged.
nlohmann::json stream_runtime(const std::string& command, const nlohmann::json& request,
                              const std::function<void(const nlohmann::json&)>& on_event,
                              const std::string& about = "");

}  // namespace mtool::cli
