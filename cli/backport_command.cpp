// mtool backport IN --to N [-o OUT]
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

#include "backport/backport_plan.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "io/atomic_output.h"
#include "lite_output.h"
#include "model_argument.h"
#include "runtime_call.h"
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

void run_backport(const BackportArgs& args, RunState& state) {
  std::optional<RuntimeRelease> runtime;
  if (!args.runtime.empty()) {
    runtime = find_runtime_release(args.runtime);
    if (!runtime) throw Error(ErrorKind::Usage, fmt::format("--runtime {}: not a release mtool knows", args.runtime));
  }
  if (args.to.has_value() == runtime.has_value()) throw Error(ErrorKind::Usage, "give exactly one of --to N and --runtime X.Y");
  ModelReport report = inspect_model_argument(args.input);
  BackportPlan plan = plan_backport(report, args.to, runtime, args.output);
  if (plan.nothing_to_do) {
    std::fprintf(stderr, "mtool: %s: bytecode %lld already loads in LibTorch-Lite %s; nothing written\n",
                 plan.input.c_str(), static_cast<long long>(plan.from), runtime->version);
    state.exit_code = kExitOk;
    return;
  }
  const OutputOptions& kept = args.kept;
  Json model_inputs = kept.verify() ? verification_inputs(report, kept.input_shapes) : Json::object();

  AtomicOutput output(plan.output, kept.force);
  {
    // LibTorch's backport writes tensors and source stored; repacking gives
    // back the compression PyTorch's own writer uses.
    TempFile raw(plan.output);
    Json backported = call_runtime("backport", {{"input", plan.input}, {"output", raw.path()}, {"to", plan.to}});
    if (backported["bytecode_version"] != plan.to) {
      throw Error(ErrorKind::Format, fmt::format("LibTorch wrote bytecode {} instead of {}", backported["bytecode_version"].dump(), plan.to));
    }
    keep_raw_output(raw.path(), output, plan.output);
  }
  // Verified before it is kept: re-read by mtool's own reader, loaded by
  // _load_for_mobile, and (unless --no-verify) run beside the original.
  check_written(output.temp_path(), plan.to, /*flatbuffer=*/false);
  Json compared = call_runtime("compare", {{"reference", plan.input}, {"candidate", output.temp_path()},
                                           {"verify", kept.verify()}, {"model", model_inputs}});
  check_outputs_agree(compared, kept.tolerance);
  output.commit();

  uint64_t before = report.size_bytes;
  uint64_t after = std::filesystem::file_size(plan.output);
  double ratio = static_cast<double>(after) / static_cast<double>(before);
  if (kept.json) {
    Json out = {{"schema", "mtool.backport/1"}, {"input", plan.input}, {"output", plan.output},
                {"from", plan.from}, {"to", plan.to}, {"size_before", before}, {"size_after", after},
                {"size_ratio", ratio}, {"verified", kept.verify()},
                {"max_abs_diff", compared.contains("max_abs_diff") ? compared["max_abs_diff"] : Json(nullptr)},
                {"inputs", model_inputs.contains("inputs") ? model_inputs["inputs"] : Json(nullptr)}};
    std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s: bytecode %lld -> %lld, %s -> %s (%.3fx)\n", plan.output.c_str(), static_cast<long long>(plan.from),
                static_cast<long long>(plan.to), human_bytes(before).c_str(), human_bytes(after).c_str(), ratio);
    std::printf("  loads with _load_for_mobile in LibTorch %s%s\n", linked_libtorch().version.c_str(),
                verification_summary(kept, model_inputs, compared, "the original's").c_str());
  }
  state.exit_code = kExitOk;
}

}  // namespace

void setup_backport(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<BackportArgs>();
  CLI::App* command = parent.add_subcommand("backport", "Rewrite a lite model for an older LibTorch-Lite");
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
      std::string(kExitCodeHelp));
  command->callback([args, &state] { run_backport(*args, state); });
}

}  // namespace mtool::cli
