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
  bool force = false;
  bool verify = true;
  std::vector<std::string> input_shapes;
  bool json = false;
  double tolerance = 1e-4;
};

void run_backport(const BackportArgs& args, RunState& state) {
  std::optional<RuntimeRelease> runtime;
  if (!args.runtime.empty()) {
    runtime = find_runtime_release(args.runtime);
    if (!runtime) throw Error(ErrorKind::Usage, fmt::format("--runtime {}: not a release mtool knows", args.runtime));
  }
  if (args.to.has_value() == runtime.has_value()) throw Error(ErrorKind::Usage, "give exactly one of --to N and --runtime X.Y");
  ModelReport report = inspect_path(args.input, {});
  BackportPlan plan = plan_backport(report, args.to, runtime, args.output);
  if (plan.nothing_to_do) {
    std::fprintf(stderr, "mtool: %s: bytecode %lld already loads in LibTorch-Lite %s; nothing written\n",
                 plan.input.c_str(), static_cast<long long>(plan.from), runtime->version);
    state.exit_code = kExitOk;
    return;
  }
  Json model_inputs = args.verify ? verification_inputs(report, args.input_shapes) : Json::object();

  AtomicOutput output(plan.output, args.force);
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
                                           {"verify", args.verify}, {"model", model_inputs}});
  check_outputs_agree(compared, args.tolerance);
  output.commit();

  uint64_t before = report.size_bytes;
  uint64_t after = std::filesystem::file_size(plan.output);
  double ratio = static_cast<double>(after) / static_cast<double>(before);
  if (args.json) {
    Json out = {{"schema", "mtool.backport/1"}, {"input", plan.input}, {"output", plan.output},
                {"from", plan.from}, {"to", plan.to}, {"size_before", before}, {"size_after", after},
                {"size_ratio", ratio}, {"verified", args.verify},
                {"max_abs_diff", compared.contains("max_abs_diff") ? compared["max_abs_diff"] : Json(nullptr)},
                {"inputs", model_inputs.contains("inputs") ? model_inputs["inputs"] : Json(nullptr)}};
    std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s: bytecode %lld -> %lld, %s -> %s (%.3fx)\n", plan.output.c_str(), static_cast<long long>(plan.from),
                static_cast<long long>(plan.to), human_bytes(before).c_str(), human_bytes(after).c_str(), ratio);
    std::printf("  loads with _load_for_mobile in LibTorch %s", linked_libtorch().version.c_str());
    if (args.verify) {
      std::printf("; same outputs as the original on %s: largest difference %g\n",
                  model_inputs["inputs"].dump().c_str(), compared["max_abs_diff"].get<double>());
    } else {
      std::printf(" (not run: --no-verify)\n");
    }
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
  command->add_flag("--force", args->force, "Replace OUT if it exists (never IN)");
  command->add_flag("!--no-verify", args->verify, "Do not run both models to compare their outputs");
  command->add_option("--input-shape", args->input_shapes, "Input shape for the comparison run (e.g. 1,3,224,224)")
      ->type_name("N,C,H,W")
      ->allow_extra_args(false);
  command->add_option("--tolerance", args->tolerance, "Largest output difference verification accepts (default 1e-4)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", args->json, "One JSON document describing the result");
  command->footer(
      "Backports with LibTorch's own machinery, then verifies before keeping anything: the output is re-read and "
      "its bytecode version checked, loaded with _load_for_mobile, and run beside the input on the same "
      "deterministic inputs (unless --no-verify). Writes are atomic: a temporary file in the output folder, "
      "renamed only on success; nothing is left behind on failure or interruption.\n\n" +
      std::string(kExitCodeHelp));
  command->callback([args, &state] { run_backport(*args, state); });
}

}  // namespace mtool::cli
