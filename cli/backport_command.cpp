// mtool backport IN --to N [-o OUT]
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

#include "backport/backport_plan.h"
#include "backport/verified_write.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "lite_output.h"
#include "io/json_text.h"
#include "render_lite_output.h"
#include "model_argument.h"
#include "operator_flag.h"
#include "planning/verification_inputs.h"
#include "runtime_call.h"
#include "runtime_flag.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct BackportArgs {
  std::string input;
  std::optional<int64_t> to;
  std::string runtime;
  std::string output;
  OutputOptions kept;
};

// LibTorch's backport, then the comparison run beside the original.
class BackportWriter : public LiteWriter {
 public:
  BackportWriter(const BackportPlan& plan, const OutputOptions& options, const Json& model_inputs)
      : plan_(plan), options_(options), model_inputs_(model_inputs) {}
  int64_t write(const std::string& path) override {
    Json written = call_runtime("backport", {{"input", plan_.input}, {"output", path}, {"to", plan_.to}}, plan_.input);
    return written["bytecode_version"].get<int64_t>();
  }
  Json compare(const std::string& candidate) override {
    return compare_with_runtime(plan_.input, "mobile", candidate, options_, model_inputs_);
  }

 private:
  const BackportPlan& plan_;
  const OutputOptions& options_;
  const Json& model_inputs_;
};

void run_backport(const BackportArgs& args, RunState& state) {
  std::optional<RuntimeRelease> runtime;
  if (!args.runtime.empty()) runtime = parse_runtime_flag(args.runtime);
  if (args.to.has_value() == runtime.has_value()) throw Error(ErrorKind::Usage, "give exactly one of --to N and --runtime X.Y");
  ModelReport report = inspect_model_argument(args.input);
  BackportPlan plan = plan_backport(report, args.to, runtime, args.output);
  if (plan.nothing_to_do) {
    std::fprintf(stderr, "mtool: %s: bytecode %lld already loads in LibTorch-Lite %s; nothing written\n",
                 terminal_safe(plan.input).c_str(), static_cast<long long>(plan.from), runtime->version);
    if (args.kept.json) std::printf("%s\n", json_text(backport_nothing_to_do_json(plan.input, plan.from)).c_str());
    state.exit_code = kExitOk;
    return;
  }
  const OutputOptions& kept = args.kept;
  Json model_inputs =
      kept.verify() ? verification_inputs(report, kept.input_shapes, kept.input_values) : Json::object();
  load_operator_libraries(kept.load_ops, {&report});

  BackportWriter writer(plan, kept, model_inputs);
  Json compared =
      write_verified({plan.output, kept.force, plan.to, /*flatbuffer=*/false, kept.tolerance}, writer).compared;

  LiteOutputResult result{plan.input,   plan.output, report.size_bytes, std::filesystem::file_size(plan.output),
                          model_inputs, compared};
  std::printf("%s", kept.json ? (json_text(backport_json(result, plan.from, plan.to, kept)) + "\n").c_str()
                              : backport_text(result, plan.from, plan.to, kept).c_str());
  state.exit_code = kExitOk;
}

}  // namespace

void setup_backport(CLI::App* command, RunState& state) {
  auto args = std::make_shared<BackportArgs>();
  command->add_option("input", args->input, "Lite-interpreter model (.ptl)")->required()->type_name("IN");
  command->add_option("--to", args->to, "Target bytecode version (4 or newer, below the input's)")->type_name("N");
  command->add_option("--runtime", args->runtime, "Target the newest bytecode this LibTorch-Lite release loads")
      ->type_name("X.Y");
  command->add_option("-o,--output", args->output, "Output file (default: IN's stem + .vN.ptl beside it)")->type_name("OUT");
  add_output_options(*command, args->kept);
  command->footer(
      "Backports with LibTorch's own machinery, then verifies before keeping anything: the output is re-read and "
      "its bytecode version checked, loaded with _load_for_mobile, and run beside the input on the same "
      "deterministic inputs (unless --no-verify). Writes are atomic: a temporary file in the output folder, "
      "renamed only on success; nothing is left behind on failure or interruption.\n\n" +
      std::string(kWriteExitHelp));
  command->callback([args, &state] { run_backport(*args, state); });
}

}  // namespace mtool::cli
