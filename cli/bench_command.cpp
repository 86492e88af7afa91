// mtool bench MODEL...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "error_line.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "lite_output.h"
#include "io/json_text.h"
#include "model_argument.h"
#include "operator_flag.h"
#include "planning/bench_plan.h"
#include "progress.h"
#include "qengine_flag.h"
#include "render_bench.h"
#include "runtime_call.h"
#include "terminal.h"
#include "text_width.h"
#include "thread_count.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct BenchArgs {
  std::vector<std::string> models;
  std::vector<std::string> input_shapes;
  std::vector<std::string> input_values;
  std::string image;
  int runs = 50;
  int warmup = 5;
  int loads = 3;
  int threads = 0;
  std::string qengine;
  std::vector<std::string> load_ops;
  bool json = false;
  bool profile = false;
};

Json request_for(const std::vector<BenchPlan>& plans, const BenchArgs& args) {
  Json models = Json::array();
  for (const BenchPlan& plan : plans) {
    models.push_back({{"path", plan.path},
                      {"loader", plan.loader},
                      {"inputs", plan.inputs},
                      {"arguments", plan.arguments},
                      {"image", plan.image},
                      {"recipe", plan.recipe}});
  }
  return {{"models", models}, {"runs", args.runs}, {"warmup", args.warmup}, {"loads", args.loads},
          {"threads", args.threads}, {"profile", args.profile}, {"qengine", args.qengine}};
}

void run_bench(const BenchArgs& args, RunState& state) {
  std::vector<Shape> shapes;
  for (const std::string& text : args.input_shapes) shapes.push_back(parse_shape(text));
  std::vector<std::pair<std::string, std::string>> values = parse_input_values(args.input_values);
  if (!args.image.empty() && !std::filesystem::is_regular_file(args.image)) {
    throw Error(ErrorKind::Io, fmt::format("--image {}: no such file", args.image));
  }
  warn_if_more_threads_than_cores(args.threads);
  std::vector<ModelReport> reports;
  for (const std::string& path : args.models) reports.push_back(inspect_model_argument(path));
  std::vector<BenchPlan> plans;
  std::vector<const ModelReport*> models;
  for (const ModelReport& report : reports) {
    plans.push_back(plan_bench(report, shapes, args.image, values));
    models.push_back(&report);
  }
  load_operator_libraries(args.load_ops, models);
  StatusLine status;
  Json answer = stream_runtime("bench", request_for(plans, args), [&](const Json& event) {
    if (event.value("event", "") == "progress") status.show("mtool bench: " + event.value("text", ""));
  });
  status.erase();
  std::vector<Json> results = answer["models"].get<std::vector<Json>>();
  int code = kExitOk;
  for (size_t m = 0; m < results.size(); ++m) {
    if (results[m]["error"].is_null()) continue;
    print_error(plans[m].path, results[m]["error"].get<std::string>());
    code = kExitProblem;
  }
  bool any_measured = std::any_of(results.begin(), results.end(), [](const Json& r) { return r["error"].is_null(); });
  if (args.json) {
    for (size_t m = 0; m < results.size(); ++m) {
      std::printf("%s\n", json_text(bench_record_json(plans[m], results[m], answer["threads"].get<int>())).c_str());
    }
  } else if (any_measured) {
    BenchSettings settings{args.runs, args.warmup, args.loads, args.qengine, wrap_width(stdout)};
    std::printf("%s", render_bench_text(plans, results, settings, answer, style_for(stdout)).c_str());
  }
  state.exit_code = code;
}

}  // namespace

void setup_bench(CLI::App* command, RunState& state) {
  auto args = std::make_shared<BenchArgs>();
  command->add_option("models", args->models, "TorchScript (.pt) or lite (.ptl) models")->required()->type_name("MODEL");
  command
      ->add_option("--input-shape", args->input_shapes,
                   "Shape of a float32 input tensor, once per forward tensor argument or List[Tensor] element (e.g. "
                   "1,3,224,224)")
      ->type_name("N,C,H,W")
      ->allow_extra_args(false);
  add_input_value_option(*command, args->input_values);
  command->add_option("--image", args->image,
                      "Feed this photo, prepared by the model's stored recipe or torchvision's ImageNet one")
      ->type_name("PHOTO");
  command->add_option("--runs", args->runs, "Warm runs per model (default 50)")->check(CLI::Range(1, 1000000));
  command->add_option("--warmup", args->warmup, "Warm-up runs per model (default 5)")->check(CLI::Range(0, 100000));
  command->add_option("--loads", args->loads, "Fresh loads to average (default 3)")->check(CLI::Range(1, 1000));
  add_qengine_flag(*command, args->qengine);
  add_load_ops_option(*command, args->load_ops);
  add_threads_option(*command, args->threads, "Intra-op threads (default: LibTorch's choice)");
  command->add_flag("--json", args->json, "One JSON document per model, one per line (schema: docs/bench-json.md)");
  command->add_flag("--profile", args->profile, "Also list the operators that took the most time in one run");
  command->footer(
      "For each model: load time (mean of --loads fresh loads), first inference, warm latency (min, p50, p90, p99, "
      "max) over --runs runs, throughput and peak resident memory during load and first run. Several models are "
      "measured interleaved (A B A B ...) and shown side by side with ratios against the first. Inputs are "
      "deterministic random float32 tensors: shapes from --input-shape, else from the recipe stored in the archive "
      "(extra/mtool.json); a List[Tensor] argument takes the shapes left after the Tensor arguments', an int, float "
      "or bool argument its --input-value (else 1, 1.0 or false, said to be assumed). Models calling torchvision's "
      "operators (nms, roi_align) get Debian's python3-torchvision library loaded first; --load-ops loads others.\n\n" +
      std::string(kBenchExitHelp));
  command->callback([args, &state] { run_bench(*args, state); });
}

}  // namespace mtool::cli
