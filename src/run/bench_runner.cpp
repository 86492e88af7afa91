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
#include <map>
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

// Fresh loads (each timed, the model dropped after), then the first forward of
// the last one: load time and cold start, with the peak memory they reach.
void measure_loads(const Json& spec, int loads, Json& result) {
  std::vector<double> times;
  bool reset = reset_peak_rss();
  // Right after a reset the peak is the current RSS: what the runtime and the models before this one hold.
  uint64_t before = reset ? peak_rss_bytes() : 0;
  for (int i = 0; i < loads; ++i) {
    auto start = Clock::now();
    Model model(spec["path"], spec["loader"]);
    times.push_back(ms_since(start));
    if (i + 1 == loads) {
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
      result["first_ms"] = ms_since(first);
      result["output"] = describe_output(output);
    }
  }
  double sum = 0;
  for (double t : times) sum += t;
  result["loads_ms"] = times;
  result["load_ms"] = sum / static_cast<double>(times.size());
  uint64_t peak = peak_rss_bytes();
  result["peak_rss_bytes"] = peak;
  if (reset) result["rss_growth_bytes"] = peak - std::min(before, peak);
  result["peak_rss_scope"] = reset ? "this model's loads and first run" : "the whole process so far";
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
  std::vector<Json> results;
  std::vector<std::unique_ptr<Model>> models;
  std::vector<std::vector<c10::IValue>> inputs;
  say("warming up LibTorch");
  answer["warmed_up"] = warm_up_runtime(request["models"]);
  size_t count = request["models"].size();
  for (const auto& spec : request["models"]) {
    Json result = {{"path", spec["path"]}, {"error", nullptr}};
    // The file name, not the path: the count must survive the cut to a terminal's width.
    std::string name = std::filesystem::path(spec["path"].get<std::string>()).filename().string();
    say(fmt::format("loading {} ({} of {}): {} loads, {} warm-up runs", name, results.size() + 1, count, loads,
                    warmup));
    try {
      measure_loads(spec, loads, result);
      models.push_back(std::make_unique<Model>(spec["path"], spec["loader"]));
      inputs.push_back(make_inputs(spec));
      for (int i = 0; i < warmup; ++i) models.back()->forward(inputs.back());
    } catch (const c10::Error& error) {
      result["error"] = first_line(error.what_without_backtrace());
      models.push_back(nullptr);
      inputs.emplace_back();
    } catch (const std::exception& error) {
      result["error"] = first_line(error.what());
      models.push_back(nullptr);
      inputs.emplace_back();
    }
    results.push_back(result);
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
