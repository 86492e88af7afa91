// mtool bench MODEL...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "model_argument.h"
#include "run/bench_plan.h"
#include "runtime_call.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct BenchArgs {
  std::vector<std::string> models;
  std::vector<std::string> input_shapes;
  std::string image;
  int runs = 50;
  int warmup = 5;
  int loads = 3;
  int threads = 0;
  bool json = false;
  bool profile = false;
};

Json request_for(const std::vector<BenchPlan>& plans, const BenchArgs& args) {
  Json models = Json::array();
  for (const BenchPlan& plan : plans) {
    models.push_back({{"path", plan.path}, {"loader", plan.loader}, {"inputs", plan.inputs}, {"image", plan.image},
                      {"recipe", plan.recipe}});
  }
  return {{"models", models}, {"runs", args.runs}, {"warmup", args.warmup}, {"loads", args.loads},
          {"threads", args.threads}, {"profile", args.profile}};
}

double number(const Json& result, const char* key, const char* inner = nullptr) {
  const Json* value = result.contains(key) ? &result[key] : nullptr;
  if (value != nullptr && inner != nullptr) value = value->contains(inner) ? &(*value)[inner] : nullptr;
  return value != nullptr && value->is_number() ? value->get<double>() : 0;
}

Json model_json(const BenchPlan& plan, const Json& result, int threads) {
  Json out = {{"schema", "mtool.bench/1"},
              {"path", plan.path},
              {"image", plan.image.empty() ? Json(nullptr) : Json(plan.image)},
              {"size_bytes", plan.size_bytes},
              {"loader", plan.loader},
              {"inputs", plan.inputs},
              {"threads", threads},
              {"error", result["error"]}};
  if (!result["error"].is_null()) return out;
  out["load_ms"] = result["load_ms"];
  out["loads_ms"] = result["loads_ms"];
  out["first_ms"] = result["first_ms"];
  for (const char* key : {"min", "p50", "p90", "p99", "max", "mean"}) {
    out[std::string(key) + "_ms"] = result["latency_ms"][key];
  }
  out["runs"] = result["runs"];
  out["throughput_per_s"] = result["throughput_per_s"];
  out["peak_rss_bytes"] = result["peak_rss_bytes"];
  out["peak_rss_scope"] = result["peak_rss_scope"];
  out["output"] = result["output"];
  if (result.contains("profile")) out["profile"] = result["profile"];
  return out;
}

// One row per figure, one column per model, with ratios against the first.
void print_table(const std::vector<BenchPlan>& plans, const std::vector<Json>& results, const BenchArgs& args,
                 const Json& answer) {
  Style style = style_for(stdout);
  std::vector<std::string> names;
  for (const BenchPlan& plan : plans) names.push_back(plan.path.substr(plan.path.rfind('/') + 1));
  constexpr int kLabel = 22;
  constexpr int kColumn = 24;
  std::string header = fmt::format("{:<{}}", "", kLabel);
  for (const std::string& name : names) header += fmt::format("{:>{}}", name.substr(0, kColumn - 2), kColumn);
  std::printf("%s\n", style.bold(header).c_str());
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
    std::printf("%s\n", line.c_str());
  };
  auto ms = [](double v) { return fmt::format("{:.2f} ms", v); };
  row("size on disk", [&](size_t m) { return static_cast<double>(plans[m].size_bytes); },
      [](double v) { return human_bytes(static_cast<uint64_t>(v)); });
  row(fmt::format("load (mean of {})", args.loads), [&](size_t m) { return number(results[m], "load_ms"); }, ms);
  row("first inference", [&](size_t m) { return number(results[m], "first_ms"); }, ms);
  for (const char* key : {"min", "p50", "p90", "p99", "max"}) {
    row(fmt::format("latency {}", key), [&](size_t m) { return number(results[m], "latency_ms", key); }, ms);
  }
  row("throughput", [&](size_t m) { return number(results[m], "throughput_per_s"); },
      [](double v) { return fmt::format("{:.1f}/s", v); });
  row("peak RSS (load+first)", [&](size_t m) { return number(results[m], "peak_rss_bytes"); },
      [](double v) { return human_bytes(static_cast<uint64_t>(v)); });
  for (size_t m = 0; m < results.size(); ++m) {
    if (results[m]["error"].is_null()) {
      std::printf("%s\n", terminal_safe(style.dim(fmt::format("{}: output {}, inputs {} ({})", names[m],
                                                               results[m]["output"].get<std::string>(),
                                                               Json(plans[m].inputs).dump(), plans[m].input_source)))
                             .c_str());
    }
  }
  std::printf("%s\n", style.dim(fmt::format("{} warm runs per model after {} warm-up, interleaved; {} threads; "
                                             "LibTorch {}", args.runs, args.warmup, answer["threads"].get<int>(),
                                             answer["libtorch"].get<std::string>())).c_str());
  for (size_t m = 0; m < results.size(); ++m) {
    if (!results[m].contains("profile")) continue;
    std::printf("\n%s\n", style.bold(fmt::format("{}: top operators by self time, one run", names[m])).c_str());
    for (const auto& op : results[m]["profile"]) {
      std::printf("  %8.3f ms  %5.1f%%  %4d calls  %s\n", op["self_ms"].get<double>(), op["percent"].get<double>(),
                  op["calls"].get<int>(), terminal_safe(op["name"].get<std::string>()).c_str());
    }
  }
}

void run_bench(const BenchArgs& args, RunState& state) {
  std::vector<Shape> shapes;
  for (const std::string& text : args.input_shapes) shapes.push_back(parse_shape(text));
  if (!args.image.empty() && !std::filesystem::is_regular_file(args.image)) {
    throw Error(ErrorKind::Io, fmt::format("--image {}: no such file", args.image));
  }
  std::vector<BenchPlan> plans;
  for (const std::string& path : args.models) plans.push_back(plan_bench(inspect_model_argument(path), shapes, args.image));
  Json answer = call_runtime("bench", request_for(plans, args));
  std::vector<Json> results = answer["models"].get<std::vector<Json>>();
  Style err = style_for(stderr);
  int code = kExitOk;
  for (size_t m = 0; m < results.size(); ++m) {
    if (results[m]["error"].is_null()) continue;
    std::fprintf(stderr, "%s %s: %s\n", err.red("mtool: error:").c_str(), terminal_safe(plans[m].path).c_str(),
                 terminal_safe(results[m]["error"].get<std::string>()).c_str());
    code = kExitProblem;
  }
  bool any_measured = std::any_of(results.begin(), results.end(), [](const Json& r) { return r["error"].is_null(); });
  if (args.json) {
    for (size_t m = 0; m < results.size(); ++m) {
      std::printf("%s\n", model_json(plans[m], results[m], answer["threads"].get<int>()).dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    }
  } else if (any_measured) {
    print_table(plans, results, args, answer);
  }
  state.exit_code = code;
}

}  // namespace

void setup_bench(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* command = parent.add_subcommand("bench", "Measure load time, latency and memory of models side by side");
  command->add_option("models", args->models, "TorchScript (.pt) or lite (.ptl) models")->required()->type_name("MODEL");
  command->add_option("--input-shape", args->input_shapes,
                      "Shape of a float32 input tensor, once per forward tensor argument (e.g. 1,3,224,224)")
      ->type_name("N,C,H,W")
      ->allow_extra_args(false);
  command->add_option("--image", args->image,
                      "Feed this photo, prepared by the model's stored recipe or torchvision's ImageNet one")
      ->type_name("PHOTO");
  command->add_option("--runs", args->runs, "Warm runs per model (default 50)")->check(CLI::Range(1, 1000000));
  command->add_option("--warmup", args->warmup, "Warm-up runs per model (default 5)")->check(CLI::Range(0, 100000));
  command->add_option("--loads", args->loads, "Fresh loads to average (default 3)")->check(CLI::Range(1, 1000));
  command->add_option("--threads", args->threads, "Intra-op threads (default: LibTorch's choice)")->check(CLI::Range(1, 1024));
  command->add_flag("--json", args->json, "One JSON document per model, one per line (schema: docs/bench-json.md)");
  command->add_flag("--profile", args->profile, "Also list the operators that took the most time in one run");
  command->footer(
      "For each model: load time (mean of --loads fresh loads), first inference, warm latency (min, p50, p90, p99, "
      "max) over --runs runs, throughput and peak resident memory during load and first run. Several models are "
      "measured interleaved (A B A B ...) and shown side by side with ratios against the first. Inputs are "
      "deterministic random float32 tensors: shapes from --input-shape, else from the recipe stored in the archive "
      "(extra/mtool.json).\n\n" +
      std::string(kExitCodeHelp));
  command->callback([args, &state] { run_bench(*args, state); });
}

}  // namespace mtool::cli
