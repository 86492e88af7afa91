#include "render_bench.h"

#include <algorithm>
#include <fmt/format.h>

#include "text_width.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

double number(const Json& result, const char* key, const char* inner = nullptr) {
  const Json* value = result.contains(key) ? &result[key] : nullptr;
  if (value != nullptr && inner != nullptr) value = value->contains(inner) ? &(*value)[inner] : nullptr;
  return value != nullptr && value->is_number() ? value->get<double>() : 0;
}

}  // namespace

nlohmann::json bench_record_json(const BenchPlan& plan, const Json& result, int threads) {
  Json out = {{"schema", kBenchRecordSchema},
              {"path", plan.path},
              {"image", plan.image.empty() ? Json(nullptr) : Json(plan.image)},
              {"size_bytes", plan.size_bytes},
              {"loader", plan.loader},
              {"inputs", plan.inputs},
              {"arguments", plan.arguments},
              {"threads", threads},
              {"error", result["error"]}};
  if (!result["error"].is_null()) return out;
  out["load_ms"] = result["load_ms"];
  out["loads_ms"] = result["loads_ms"];
  out["first_ms"] = result["first_ms"];
  out["first_runs_ms"] = result["first_runs_ms"];
  for (const char* key : {"min", "p50", "p90", "p99", "max", "mean"}) {
    out[std::string(key) + "_ms"] = result["latency_ms"][key];
  }
  out["runs"] = result["runs"];
  out["throughput_per_s"] = result["throughput_per_s"];
  out["peak_rss_bytes"] = result["peak_rss_bytes"];
  out["peak_rss_scope"] = result["peak_rss_scope"];
  out["rss_growth_bytes"] = result.contains("rss_growth_bytes") ? result["rss_growth_bytes"] : Json(nullptr);
  out["output"] = result["output"];
  if (result.contains("profile")) out["profile"] = result["profile"];
  return out;
}

std::string render_bench_text(const std::vector<BenchPlan>& plans, const std::vector<Json>& results,
                              const BenchSettings& args, const Json& answer, const Style& style) {
  std::string out;
  std::vector<std::string> names;  // file names, escaped: they come from the command line
  for (const BenchPlan& plan : plans) names.push_back(escaped_name(plan.path.substr(plan.path.rfind('/') + 1)));
  constexpr int kLabel = 22;
  constexpr int kColumn = 24;
  std::string header = fmt::format("{:<{}}", "", kLabel);
  // Cut and right-aligned by the columns a name takes (CJK two each), never mid-character.
  for (const std::string& name : names) header += pad_left(cut_to_columns(name, kColumn - 2), kColumn);
  out += style.bold(header) + "\n";
  auto row = [&](const std::string& label, auto value_of, auto format) {
    std::string line = fmt::format("{:<{}}", label, kLabel);
    double base = 0;
    for (size_t m = 0; m < results.size(); ++m) {
      if (!results[m]["error"].is_null()) {
        line += fmt::format("{:>{}}", "failed", kColumn);
        continue;
      }
      double value = value_of(m);
      if (m == 0) base = value;
      std::string cell = format(value);
      if (m > 0 && base > 0) cell += fmt::format(" ({:.2f}x)", value / base);
      line += fmt::format("{:>{}}", cell, kColumn);
    }
    out += line + "\n";
  };
  auto ms = [](double v) { return fmt::format("{:.2f} ms", v); };
  row(
      "size on disk", [&](size_t m) { return static_cast<double>(plans[m].size_bytes); },
      [](double v) { return human_bytes(static_cast<uint64_t>(v)); });
  row(
      fmt::format("load (mean of {})", args.loads), [&](size_t m) { return number(results[m], "load_ms"); }, ms);
  row(
      "first inference", [&](size_t m) { return number(results[m], "first_ms"); }, ms);
  for (const char* key : {"min", "p50", "p90", "p99", "max"}) {
    row(
        fmt::format("latency {}", key), [&](size_t m) { return number(results[m], "latency_ms", key); }, ms);
  }
  row(
      "throughput", [&](size_t m) { return number(results[m], "throughput_per_s"); },
      [](double v) { return fmt::format("{:.1f}/s", v); });
  row(
      "peak RSS (load+first)", [&](size_t m) { return number(results[m], "peak_rss_bytes"); },
      [](double v) { return human_bytes(static_cast<uint64_t>(v)); });
  if (results.empty() || results[0].contains("rss_growth_bytes")) {
    row(
        "memory added", [&](size_t m) { return number(results[m], "rss_growth_bytes"); },
        [](double v) { return human_bytes(static_cast<uint64_t>(v)); });
  }
  // Notes under the table, each wrapped to the terminal, then dimmed line by line.
  auto note = [&](const std::string& text) {
    std::string wrapped = wrap_line(terminal_safe(text), args.width, 2);
    for (size_t start = 0; start < wrapped.size();) {
      size_t end = wrapped.find('\n', start);
      if (end == std::string::npos) end = wrapped.size();
      out += style.dim(wrapped.substr(start, end - start)) + "\n";
      start = end + 1;
    }
  };
  for (size_t m = 0; m < results.size(); ++m) {
    if (results[m]["error"].is_null()) {
      note(fmt::format("{}: output {}, inputs {} ({})", names[m], results[m]["output"].get<std::string>(),
                       describe_inputs(plans[m]), plans[m].input_source));
    }
  }
  int threads = answer["threads"].get<int>();
  note(fmt::format("{} warm runs per model after {} warm-up, interleaved; {} thread{}; LibTorch {}", args.runs,
                   args.warmup, threads, threads == 1 ? "" : "s", answer["libtorch"].get<std::string>()));
  // The engine only changes what quantized models compute; a float model's table does not name it.
  bool quantized = std::any_of(plans.begin(), plans.end(), [](const BenchPlan& plan) { return plan.quantized; });
  if (quantized || !args.qengine.empty()) {
    note(fmt::format("quantized engine: {}{}", answer.value("qengine", ""),
                     args.qengine.empty() ? " (mtool's default, as phones run quantized models)" : ""));
  }
  if (answer.value("warmed_up", false)) {
    note(
        "LibTorch was started by one untimed load and run before any measure; each load is a cold start (a fresh "
        "load and its first inference), interleaved A B A B; first inference and memory added (a cold start's peak "
        "over what was resident) are their medians");
  }
  for (size_t m = 0; m < results.size(); ++m) {
    if (!results[m].contains("profile")) continue;
    out += '\n';  // appended, not "\n" + ...: GCC 12 warns on that form (-Wrestrict, a false positive)
    out += style.bold(fmt::format("{}: top operators by self time, one run", names[m])) + "\n";
    for (const auto& op : results[m]["profile"]) {
      out += fmt::format("  {:8.3f} ms  {:5.1f}%  {:4d} calls  {}\n", op["self_ms"].get<double>(),
                         op["percent"].get<double>(), op["calls"].get<int>(),
                         terminal_safe(op["name"].get<std::string>()));
    }
  }
  return out;
}

}  // namespace mtool::cli
