// mtool convert IN.pt -o OUT.ptl
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

#include "backport/backport_plan.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "lite_output.h"
#include "model_argument.h"
#include "runtime_call.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct ConvertArgs {
  std::string input;
  std::string output;
  bool optimize = false;
  std::optional<int64_t> bytecode;
  bool flatbuffer = false;
  OutputOptions kept;
};

// What a torch.save file's owner runs in Python to get what convert makes.
std::string python_export_lines(const ModelReport& report, const std::string& output) {
  bool whole_module = report.contents && !report.contents->objects.empty() && report.contents->objects.front().key.empty();
  std::string load = whole_module
      ? fmt::format("    model = torch.load('{}', weights_only=False)  # needs {} importable\n", report.path,
                    report.contents->objects.front().class_name)
      : fmt::format("    model = MyModel()  # the model class these weights belong to\n"
                    "    model.load_state_dict(torch.load('{}'))\n", report.path);
  return "  Export it in Python, then convert (or save the lite model directly):\n"
         "    import torch\n" + load +
         "    model.eval()\n"
         "    scripted = torch.jit.script(model)  # or torch.jit.trace(model, example_input)\n" +
         fmt::format("    scripted._save_for_lite_interpreter('{}')", output);
}

void refuse(const ModelReport& report, const std::string& output) {
  switch (report.format) {
    case ModelFormat::TorchScript: return;
    case ModelFormat::Lite:
    case ModelFormat::LiteFlatbuffer:
      throw Error(ErrorKind::Usage, fmt::format("{}: already a lite model; `mtool backport` changes its bytecode version",
                                                report.path));
    case ModelFormat::TorchSave:
    case ModelFormat::TorchSaveLegacy: {
      // The one case where the error line is followed by what to run instead.
      const Diagnosis* error = report.first_error();
      throw Error(ErrorKind::Format, fmt::format("{}: {}\n{}", report.path, error != nullptr ? error->message : "",
                                                 python_export_lines(report, output)));
    }
    default:
      throw Error(ErrorKind::Format,
                  fmt::format("{}: only TorchScript archives can be converted: {}", report.path, report.refusal()));
  }
}

void run_convert(const ConvertArgs& args, RunState& state) {
  ModelReport report = inspect_model_argument(args.input);
  refuse(report, args.output);
  if (args.flatbuffer && args.bytecode) throw Error(ErrorKind::Usage, "--flatbuffer writes bytecode 9; it cannot take --bytecode");
  std::error_code same;
  if (std::filesystem::equivalent(args.output, args.input, same)) {
    throw Error(ErrorKind::Usage, fmt::format("{}: the output would replace the input", args.input));
  }
  if (args.bytecode && (*args.bytecode < kOldestBackportTarget || *args.bytecode > 8)) {
    throw Error(ErrorKind::Usage, fmt::format("--bytecode {}: LibTorch {} writes bytecode 8 and backports reach 4 to 7",
                                              *args.bytecode, linked_libtorch().version));
  }
  const OutputOptions& kept = args.kept;
  Json model_inputs = kept.verify() ? verification_inputs(report, kept.input_shapes) : Json::object();

  AtomicOutput output(args.output, kept.force);
  int64_t bytecode = 0;
  {
    TempFile converted(args.output);
    Json written = call_runtime("convert", {{"input", args.input}, {"output", converted.path()},
                                            {"optimize", args.optimize}, {"flatbuffer", args.flatbuffer}});
    bytecode = written["bytecode_version"].get<int64_t>();
    if (args.bytecode && *args.bytecode < bytecode) {
      TempFile backported(args.output);
      call_runtime("backport", {{"input", converted.path()}, {"output", backported.path()}, {"to", *args.bytecode}});
      bytecode = *args.bytecode;
      keep_raw_output(backported.path(), output, args.output);
    } else {
      keep_raw_output(converted.path(), output, args.output);
    }
  }
  check_written(output.temp_path(), bytecode, args.flatbuffer);
  Json compared = call_runtime("compare", {{"reference", args.input}, {"reference_loader", "jit"},
                                           {"candidate", output.temp_path()}, {"verify", kept.verify()},
                                           {"model", model_inputs}});
  check_outputs_agree(compared, kept.tolerance);
  output.commit();

  uint64_t after = std::filesystem::file_size(args.output);
  if (kept.json) {
    Json out = {{"schema", "mtool.convert/1"}, {"input", args.input}, {"output", args.output},
                {"bytecode_version", bytecode}, {"flatbuffer", args.flatbuffer}, {"optimized", args.optimize},
                {"size_before", report.size_bytes}, {"size_after", after}, {"verified", kept.verify()},
                {"max_abs_diff", compared.contains("max_abs_diff") ? compared["max_abs_diff"] : Json(nullptr)}};
    std::printf("%s\n", out.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s: lite %s, bytecode %lld%s, %s -> %s\n", args.output.c_str(), args.flatbuffer ? "flatbuffer" : "archive",
                static_cast<long long>(bytecode), args.optimize ? ", optimized for mobile" : "",
                human_bytes(report.size_bytes).c_str(), human_bytes(after).c_str());
    std::printf("  loads with _load_for_mobile%s\n",
                verification_summary(kept, model_inputs, compared, "torch::jit::load's").c_str());
  }
  state.exit_code = kExitOk;
}

}  // namespace

void setup_convert(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* command = parent.add_subcommand("convert", "Turn a TorchScript model into a lite-interpreter model");
  command->add_option("input", args->input, "TorchScript archive (torch.jit.save)")->required()->type_name("IN.pt");
  command->add_option("-o,--output", args->output, "Lite model to write")->required()->type_name("OUT.ptl");
  command->add_flag("--optimize", args->optimize, "Apply the mobile optimization passes (as optimize_for_mobile)");
  command->add_option("--bytecode", args->bytecode, "Write this older bytecode version (convert, then backport)")
      ->type_name("N");
  command->add_flag("--flatbuffer", args->flatbuffer, "Write a flatbuffer lite model (bytecode 9)");
  add_output_options(*command, args->kept);
  command->footer(
      "Loads IN with torch::jit::load and saves it with _save_for_mobile, verified and atomic like backport: the "
      "output is re-read, loaded with _load_for_mobile and run beside IN (unless --no-verify) before it is kept.\n\n" +
      std::string(kExitCodeHelp));
  command->callback([args, &state] { run_convert(*args, state); });
}

}  // namespace mtool::cli
