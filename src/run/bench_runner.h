#pragma once
// `mtool bench`'s measurements, with LibTorch (runtime library only).
#include <functional>
#include <nlohmann/json.hpp>

namespace mtool {

// Request: {"models": [{"path", "loader": "jit"|"mobile", "inputs": [[1,3,224,224], ...]}],
//           "runs", "warmup", "loads", "threads", "profile"}.
// Answer:  {"models": [{"path", "load_ms", "loads_ms": [...], "first_ms", "latency_ms": {"min", "p50",
//           "p90", "p99", "max", "mean"}, "runs", "throughput_per_s", "peak_rss_bytes", "output",
//           "rss_growth_bytes", "profile": [{"name", "calls", "self_ms", "percent"}], "error"}], "threads",
//           "libtorch", "warmed_up"}.
// `progress` (optional) sees {"event": "progress", "text": "..."} as each stage starts.
using BenchProgress = std::function<void(const nlohmann::json& event)>;
nlohmann::json run_bench(const nlohmann::json& request, const BenchProgress& progress = {});

}  // namespace mtool
