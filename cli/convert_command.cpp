// mtool convert IN.pt -o OUT.ptl
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

#include "backport/backport_plan.h"
#include "backport/verified_write.h"
#include "io/atomic_output.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "inspect/load_advice.h"
#include "lite_output.h"
#include "io/json_text.h"
#include "io/quoting.h"
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

struct ConvertArgs {
  std::string input;
  std::string output;
  bool optimize = false;
  std::optional<int64_t> bytecode;
  std::string runtime;
  bool flatbuffer = false;
  OutputOptions kept;
};

// What a torch.save file's owner runs in Python to get what convert makes.
// Only files whose pickles scan safe are loaded, with the call load_advice.h
// decides; anything else is not to be loaded at all.
std::string python_export_lines(const ModelReport& report, const std::string& output) {
  std::string load = torch_load_call(report, python_string(report.path));
  if (!report.security || load.empty()) {
    return "  Do not load this file in Python: its pickles name globals that are dangerous or not known to be safe\n"
           "  (`mtool scan` lists them). Export TorchScript from code and weights you trust instead.";
  }
  std::string note = torch_load_note(report);
  return "  Export it in Python, then convert (or save the lite model directly):\n"
         "    import torch\n"
         "    model = MyModel()  # the model class these weights belong to\n" +
         (note.empty() ? "" : fmt::format("    # {}\n", note)) + fmt::format("    model.load_state_dict({})\n", load) +
         "    model.eval()\n"
         "    scripted = torch.jit.script(model)  # or torch.jit.trace(model, example_input)\n" +
         fmt::format("    scripted._save_for_lite_interpreter('{}')", output);
}

void refuse(const ModelReport& report, const std::string& output) {
  switch (report.format) {
    case ModelFormat::TorchScript:
    case ModelFormat::LiteFlatbuffer: return;  // torch::jit::load reads flatbuffers (LibTorch 1.13)
    case ModelFormat::Lite:
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

// --runtime X.Y as the bytecode to write: the newest that release reads, when
// older than what LibTorch writes.
std::optional<int64_t> bytecode_for(const ConvertArgs& args) {
  if (args.runtime.empty()) return args.bytecode;
  RuntimeRelease runtime = parse_runtime_flag(args.runtime);
  if (args.bytecode || args.flatbuffer) throw Error(ErrorKind::Usage, "--runtime chooses the bytecode; give it alone");
  if (runtime.max_bytecode < kOldestBackportTarget) {
    throw Error(ErrorKind::Usage, fmt::format("--runtime {}: it reads bytecode up to {}, which no backport reaches",
                                              args.runtime, runtime.max_bytecode));
  }
  int64_t produced = linked_libtorch().produced_bytecode;
  return runtime.max_bytecode < produced ? std::optional<int64_t>(runtime.max_bytecode) : std::nullopt;
}

// LibTorch's _save_for_mobile (then its backport, for an older --bytecode),
// then the comparison run beside the TorchScript original.
class ConvertWriter : public LiteWriter {
 public:
  ConvertWriter(const ConvertArgs& args, const ModelReport& report, const Json& model_inputs)
      : args_(args), report_(report), model_inputs_(model_inputs) {}
  int64_t write(const std::string& path) override {
    Json extra_files = Json::array();
    for (const ExtraFile& extra : report_.extra_files) extra_files.push_back(extra.name);
    Json request = {{"input", args_.input},
                    {"optimize", args_.optimize},
                    {"flatbuffer", args_.flatbuffer},
                    {"qengine", args_.kept.qengine},
                    {"extra_files", extra_files}};
    if (!args_.bytecode || *args_.bytecode >= linked_libtorch().produced_bytecode) {
      request["output"] = path;
      return call_runtime("convert", request, args_.input)["bytecode_version"].get<int64_t>();
    }
    TempFile converted(path);
    request["output"] = converted.path();
    call_runtime("convert", request, args_.input);
    Json backported =
        call_runtime("backport", {{"input", converted.path()}, {"output", path}, {"to", *args_.bytecode}});
    return backported["bytecode_version"].get<int64_t>();
  }
  Json compare(const std::string& candidate) override {
    return compare_with_runtime(args_.input, "jit", candidate, args_.kept, model_inputs_);
  }

 private:
  const ConvertArgs& args_;
  const ModelReport& report_;
  const Json& model_inputs_;
};

void run_convert(const ConvertArgs& given, RunState& state) {
  ConvertArgs args = given;
  args.bytecode = bytecode_for(given);
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
  Json model_inputs =
      kept.verify() ? verification_inputs(report, kept.input_shapes, kept.input_values) : Json::object();
  load_operator_libraries(kept.load_ops, {&report});

  ConvertWriter writer(args, report, model_inputs);
  std::optional<int64_t> backport_to =
      args.bytecode && *args.bytecode < linked_libtorch().produced_bytecode ? args.bytecode : std::nullopt;
  WrittenModel written =
      write_verified({args.output, kept.force, backport_to, args.flatbuffer, kept.tolerance}, writer);
  LiteOutputResult result{args.input,   args.output,     report.size_bytes, std::filesystem::file_size(args.output),
                          model_inputs, written.compared};
  ConvertedAs as{written.bytecode, args.flatbuffer, args.optimize};
  std::printf("%s", kept.json ? (json_text(convert_json(result, as, kept)) + "\n").c_str()
                              : convert_text(result, as, kept).c_str());
  state.exit_code = kExitOk;
}

}  // namespace

void setup_convert(CLI::App* command, RunState& state) {
  auto args = std::make_shared<ConvertArgs>();
  command->add_option("input", args->input, "TorchScript archive (torch.jit.save) or flatbuffer lite model")
      ->required()
      ->type_name("IN.pt");
  command->add_option("-o,--output", args->output, "Lite model to write")->required()->type_name("OUT.ptl");
  command->add_flag("--optimize", args->optimize, "Apply the mobile optimization passes (as optimize_for_mobile)");
  command->add_option("--bytecode", args->bytecode, "Write this older bytecode version (convert, then backport)")
      ->type_name("N");
  command->add_option("--runtime", args->runtime, "Write the newest bytecode this LibTorch-Lite release loads")
      ->type_name("X.Y");
  command->add_flag("--flatbuffer", args->flatbuffer, "Write a flatbuffer lite model (bytecode 9)");
  add_output_options(*command, args->kept);
  command->footer(
      "Loads IN with torch::jit::load and saves it with _save_for_mobile, verified and atomic like backport: the "
      "output is re-read, loaded with _load_for_mobile and run beside IN (unless --no-verify) before it is kept.\n\n" +
      std::string(kWriteExitHelp));
  command->callback([args, &state] { run_convert(*args, state); });
}

}  // namespace mtool::cli
