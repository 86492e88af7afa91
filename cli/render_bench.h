#pragma once
// Rendering of bench results: a table for people (one row per figure, one
// column per model, ratios against the first) and one JSON record per model.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planning/bench_plan.h"
#include "terminal.h"

namespace mtool::cli {

inline constexpr const char* kBenchRecordSchema = "mtool.bench/1";

// What the table's footer says about how the figures were measured.
struct BenchSettings {
  int runs = 0;
  int warmup = 0;
  int loads = 0;
  std::string qengine;  // as asked; empty: qnnpack (the runtime's default)
  size_t width = 0;     // the notes under the table wrap to it (wrap_width); 0: never
};

// `result` is one of the runtime's "models" answers (docs/bench-json.md).
nlohmann::json bench_record_json(const BenchPlan& plan, const nlohmann::json& result, int threads);

// `answer` is the runtime's whole answer (threads, libtorch, qengine, warmed_up).
std::string render_bench_text(const std::vector<BenchPlan>& plans, const std::vector<nlohmann::json>& results,
                              const BenchSettings& settings, const nlohmann::json& answer, const Style& style);

}  // namespace mtool::cli
