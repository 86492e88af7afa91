#include "run/bench_runner.h"
#include "explain/input_rejection.h"
#include "run/measure.h"
#include "run/model_runner.h"

#include <algorithm>
#include <fmt/format.h>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/mobile/module.h>
#include <torch/script.h>
#include <torch/version.h>

namespace mtool {

namespace {

using Json = nlohmann::json;

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// A forward that failed on the inputs made from the shapes: the cause named when the
// first tensor and LibTorch's message tell it.
std::string rejection_of(const std::string& error, const std::vector<c10::IValue>& inputs) {
  for (const c10::IValue& input : inputs) {
    if (!input.isTensor()) continue;
    const at::Tensor& tensor = input.toTensor();
    std::string dtype = tensor.scalar_type() == at::kFloat ? "float32" : c10::toString(tensor.scalar_type());
    return describe_rejection(error, tensor.sizes().vec(), dtype, InputOrigin::Shapes);
  }
  return error;
}

// One cold start: a fresh load and its first forward (cold caches, TorchScript's profiling run), with the
// memory they add. The allocator is settled and the peak reset first, so what came before does not count.
struct ColdStart {
  double load_ms = 0;
  double first_ms = 0;
  uint64_t peak_rss = 0;
  std::optional<uint64_t> growth;  // nullopt where the peak cannot be reset (macOS)
  std::string output;
};

ColdStart cold_start(const Json& spec) {
  settle_allocator();
  bool reset = reset_peak_rss();
  // Right after a reset the peak is the current RSS: what the runtime and the models kept for warm runs hold.
  uint64_t before = reset ? peak_rss_bytes() : 0;
  ColdStart cold;
  auto start = Clock::now();
  Model model(spec["path"], spec["loader"]);
  cold.load_ms = ms_since(start);
  std::vector<c10::IValue> inputs = make_inputs(spec);
  auto first = Clock::now();
  c10::IValue output;
  try {
    output = model.forward(inputs);
  } catch (const c10::Error& error) {
    throw std::runtime_error(rejection_of(first_line(error.what_without_backtrace()), inputs));
  } catch (const std::runtime_error& error) {  // the TorchScript interpreter's JITException
    throw std::runtime_error(rejection_of(first_line(error.what()), inputs));
  }
  cold.first_ms = ms_since(first);
  cold.output = describe_output(output);
  cold.peak_rss = peak_rss_bytes();
  if (reset) cold.growth = cold.peak_rss - std::min(before, cold.peak_rss);
  return cold;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// A model's cold starts summed up: mean load, median first run and memory added, highest peak.
void record_cold_starts(const std::vector<ColdStart>& starts, Json& result) {
  std::vector<double> loads, firsts, growths;
  uint64_t peak = 0;
  for (const ColdStart& cold : starts) {
    loads.push_back(cold.load_ms);
    firsts.push_back(cold.first_ms);
    if (cold.growth) growths.push_back(static_cast<double>(*cold.growth));
    peak = std::max(peak, cold.peak_rss);
  }
  double sum = 0;
  for (double t : loads) sum += t;
  result["loads_ms"] = loads;
  result["load_ms"] = sum / static_cast<double>(loads.size());
  result["first_ms"] = median(firsts);
  result["first_runs_ms"] = firsts;
  result["output"] = starts.back().output;
  result["peak_rss_bytes"] = peak;
  bool per_model = growths.size() == starts.size();
  if (per_model) result["rss_growth_bytes"] = static_cast<uint64_t>(median(growths));
  result["peak_rss_scope"] = per_model ? "this model's loads and first runs" : "the whole process so far";
}

Json latency_stats(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double s : samples) sum += s;
  return {{"min", samples.front()},          {"p50", percentile(samples, 0.50)}, {"p90", percentile(samples, 0.90)},
          {"p99", percentile(samples, 0.99)}, {"max", samples.back()},
          {"mean", sum / static_cast<double>(samples.size())}};
}

struct TraceEvent {
  std::string name;
  double start_us = 0;
  double duration_us = 0;
  double self_us = 0;
};

// Chrome-trace events nest (aten::conv2d contains aten::convolution ...): time
// is charged to the innermost event running, so the percentages add up.
void compute_self_times(std::vector<TraceEvent>& events) {
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.start_us != b.start_us ? a.start_us < b.start_us : a.duration_us > b.duration_us;
  });
  std::vector<TraceEvent*> open;
  for (TraceEvent& event : events) {
    event.self_us = event.duration_us;
    while (!open.empty() && open.back()->start_us + open.back()->duration_us <= event.start_us) open.pop_back();
    if (!open.empty()) open.back()->self_us -= event.duration_us;
    open.push_back(&event);
  }
}

// One profiled forward (LibTorch's legacy profiler, which both the TorchScript
// and the lite interpreter report to), summed by operator name.
Json profile_once(Model& model, const std::vector<c10::IValue>& inputs) {
  std::stringstream trace;
  {
    torch::autograd::profiler::RecordProfile guard(trace);
    model.forward(inputs);
  }
  Json parsed = Json::parse(trace.str(), nullptr, false);
  std::vector<TraceEvent> events;
  if (parsed.is_array()) {
    for (const auto& event : parsed) {
      if (!event.contains("name") || !event.contains("dur") || !event.contains("ts")) continue;
      events.push_back({event["name"].get<std::string>(), event["ts"].get<double>(), event["dur"].get<double>(), 0});
    }
  }
  compute_self_times(events);
  std::map<std::string, std::pair<int, double>> totals;
  double all = 0;
  for (const TraceEvent& event : events) {
    auto& [calls, total] = totals[event.name];
    ++calls;
    total += std::max(0.0, event.self_us) / 1000.0;
    all += std::max(0.0, event.self_us) / 1000.0;
  }
  std::vector<std::pair<std::string, std::pair<int, double>>> sorted(totals.begin(), totals.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  Json top = Json::array();
  for (size_t i = 0; i < sorted.size() && i < 15; ++i) {
    const auto& [name, stats] = sorted[i];
    top.push_back({{"name", name}, {"calls", stats.first}, {"self_ms", stats.second},
                   {"percent", all > 0 ? 100.0 * stats.second / all : 0.0}});
  }
  return top;
}

// LibTorch's first load and forward in a process pay for starting LibTorch itself (operator
// registration, thread pools, allocator caches): 1.9 ms against 0.08 ms for the same model loaded
// second. One untimed load and run of the first model that loads, before any is measured, puts that
// cost on no model. True when one ran.
bool warm_up_runtime(const Json& models) {
  for (const auto& spec : models) {
    try {
      Model model(spec["path"], spec["loader"]);
      model.forward(make_inputs(spec));
      return true;
    } catch (const std::exception&) {
      // the model is measured (and its error said) below; try the next one
    }
  }
  return false;
}

// The file name, not the path: the progress line's count must survive the cut to a terminal's width.
std::string file_name(const Json& spec) {
  return std::filesystem::path(spec["path"].get<std::string>()).filename().string();
}

// LibTorch's first line for its own errors (without the C++ backtrace), the message for others.
std::string error_text(const std::exception& error) {
  if (const auto* libtorch = dynamic_cast<const c10::Error*>(&error))
    return first_line(libtorch->what_without_backtrace());
  return first_line(error.what());
}

// Cold starts interleaved by round (A B A B ...), so neither the machine's noise nor what a model leaves in
// caches and the allocator falls on one position: the same model listed twice measures alike. A model that
// fails gets its error in `results` and is left out of later rounds.
std::vector<std::vector<ColdStart>> cold_start_rounds(const Json& specs, int loads,
                                                      const std::function<void(const std::string&)>& say,
                                                      std::vector<Json>& results) {
  std::vector<std::vector<ColdStart>> starts(specs.size());
  for (int round = 0; round < loads; ++round) {
    for (size_t m = 0; m < specs.size(); ++m) {
      if (!results[m]["error"].is_null()) continue;
      say(fmt::format("loading {} ({} of {}): cold start {} of {}", file_name(specs[m]), m + 1, specs.size(), round + 1,
                      loads));
      try {
        starts[m].push_back(cold_start(specs[m]));
      } catch (const std::exception& error) {
        results[m]["error"] = error_text(error);
      }
    }
  }
  return starts;
}

}  // namespace

Json run_bench(const Json& request, const BenchProgress& progress) {
  auto say = [&](const std::string& text) {
    if (progress) progress({{"event", "progress"}, {"text", text}});
  };
  int runs = request.value("runs", 50);
  int warmup = request.value("warmup", 5);
  int loads = request.value("loads", 3);
  int threads = request.value("threads", 0);
  if (threads > 0) at::set_num_threads(threads);
  Json answer;
  answer["threads"] = at::get_num_threads();
  answer["libtorch"] = TORCH_VERSION;
  answer["qengine"] = use_quantized_engine(request);
  settle_allocator();  // before the warm-up, whose frees would otherwise change how later models allocate
  say("warming up LibTorch");
  answer["warmed_up"] = warm_up_runtime(request["models"]);
  const Json& specs = request["models"];
  std::vector<Json> results;
  for (const auto& spec : specs) results.push_back({{"path", spec["path"]}, {"error", nullptr}});
  std::vector<std::vector<ColdStart>> starts = cold_start_rounds(specs, loads, say, results);
  std::vector<std::unique_ptr<Model>> models;
  std::vector<std::vector<c10::IValue>> inputs;
  for (size_t m = 0; m < specs.size(); ++m) {
    models.push_back(nullptr);
    inputs.emplace_back();
    if (!results[m]["error"].is_null()) continue;
    record_cold_starts(starts[m], results[m]);
    say(fmt::format("warming up {} ({} of {}): {} runs", file_name(specs[m]), m + 1, specs.size(), warmup));
    try {
      models[m] = std::make_unique<Model>(specs[m]["path"], specs[m]["loader"]);
      inputs[m] = make_inputs(specs[m]);
      for (int i = 0; i < warmup; ++i) models[m]->forward(inputs[m]);
    } catch (const std::exception& error) {
      results[m]["error"] = error_text(error);
      models[m] = nullptr;
    }
  }
  // Warm runs interleaved A B A B ..., so the machine's noise falls on all alike.
  std::vector<std::vector<double>> samples(models.size());
  std::vector<double> busy(models.size(), 0);
  for (int run = 0; run < runs; ++run) {
    if (run % std::max(1, runs / 10) == 0) say(fmt::format("warm runs: {} of {}", run, runs));
    for (size_t m = 0; m < models.size(); ++m) {
      if (!models[m]) continue;
      auto start = Clock::now();
      models[m]->forward(inputs[m]);
      samples[m].push_back(ms_since(start));
      busy[m] += samples[m].back();
    }
  }
  for (size_t m = 0; m < models.size(); ++m) {
    if (!models[m] || samples[m].empty()) continue;
    results[m]["runs"] = samples[m].size();
    results[m]["latency_ms"] = latency_stats(samples[m]);
    results[m]["throughput_per_s"] = 1000.0 * static_cast<double>(samples[m].size()) / busy[m];
    if (request.value("profile", false)) results[m]["profile"] = profile_once(*models[m], inputs[m]);
  }
  answer["models"] = results;
  return answer;
}

}  // namespace mtool
