// mtool inspect FILE...
#include <cstdio>
#include <fmt/format.h>

#include "commands.h"
#include "error_line.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "inspect/symbolic_tree.h"
#include "io/mapped_file.h"
#include "operator_flag.h"
#include "render.h"
#include "runtime_flag.h"
#include "runtime_loader.h"
#include "text_width.h"

namespace mtool::cli {

namespace {

struct InspectArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool all = false;
  bool try_load = false;
  std::vector<std::string> load_ops;  // with --try-load
  bool tree = false;
  bool selected_ops_yaml = false;
  std::string runtime;
};

// Asks the linked LibTorch to load the file, as an app would, and reports it
// as a diagnosis (this is the one step of inspect that loads LibTorch).
void try_loading(ModelReport& report) {
  const MtoolRuntimeApi& api = runtime_api();
  bool jit = report.format == ModelFormat::TorchScript || report.format == ModelFormat::Lite ||
             report.format == ModelFormat::TorchSave || report.format == ModelFormat::TorchSaveLegacy;
  bool mobile = report.format == ModelFormat::Lite || report.format == ModelFormat::LiteFlatbuffer;
  for (auto [enabled, loader, name] : {std::tuple{jit, kMtoolLoaderJit, "torch::jit::load"},
                                       std::tuple{mobile, kMtoolLoaderMobile, "_load_for_mobile"}}) {
    if (!enabled) continue;
    char error[1024] = {0};
    bool loaded = api.try_load(report.path.c_str(), loader, error, sizeof error) == 1;
    report.diagnoses.push_back({loaded ? "loaded" : "load-failed", loaded ? Severity::Info : Severity::Warning,
                                loaded ? fmt::format("{} in LibTorch {} loads it.", name, api.libtorch_version())
                                       : fmt::format("{} in LibTorch {} fails: {}", name, api.libtorch_version(), error),
                                loaded ? "" : "See the other diagnoses for the cause."});
  }
}

void print_tree(const std::string& path) {
  try {
    MappedFile file(path);
    std::printf("  %s\n%s", style_for(stdout).dim("symbolic tree of the main pickle").c_str(),
                terminal_safe(symbolic_tree_of_file(file.bytes())).c_str());
  } catch (const Error& error) {
    std::printf("  (no symbolic tree: %s)\n", terminal_safe(error.what()).c_str());
  }
}

// An app or folder: its models together. Problems: a model with an error
// other than being another runtime's format.
int inspect_app_one(const std::string& path, const InspectArgs& args, const InspectOptions& options) {
  AppReport app = inspect_app(path, options);
  if (app.models.empty() && !is_directory(path)) return -1;  // a plain zip: reported as one
  if (app.models.empty()) {
    std::string message = fmt::format("is a directory with no model file among its {} files", app.files);
    if (!app.skipped.empty()) message += fmt::format(" ({} skipped: {})", app.skipped.size(), app.skipped.front());
    if (args.json) std::printf("%s\n", render_json_error(path, "io", message).c_str());
    print_error(path, message);
    return kExitUsage;
  }
  std::printf(
      "%s", args.json ? (render_app_json(app) + "\n").c_str()
                      : terminal_safe(render_app_text(app, style_for(stdout), {args.all, wrap_width(stdout)})).c_str());
  std::fflush(stdout);
  for (const EmbeddedModel& model : app.models) {
    const Diagnosis* error = model.report.first_error();
    if (error && error->code != "not-pytorch") {
      print_error(path, fmt::format("{}: {} [{}]", model.location, error->message, error->code));
      return kExitProblem;
    }
  }
  return kExitOk;
}

int inspect_one(const std::string& path, const InspectArgs& args, const InspectOptions& options) {
  ModelReport report;
  try {
    if (is_app_container(path, nullptr)) return inspect_app_one(path, args, options);
    report = inspect_path(path, options);
    if (is_app_container(path, &report)) {
      int code = inspect_app_one(path, args, options);
      if (code >= 0) return code;
    }
  } catch (const Error& error) {
    if (args.json) std::printf("%s\n", render_json_error(path, "io", error.what()).c_str());
    print_error(path, error.what());
    return kExitUsage;
  }
  if (args.try_load) {
    load_operator_libraries(args.load_ops, {&report});
    try_loading(report);
  }
  if (args.json) {
    std::printf("%s\n", render_json(report).c_str());
  } else {
    std::printf("%s", terminal_safe(render_text(report, style_for(stdout), {args.all, wrap_width(stdout)})).c_str());
  }
  if (args.tree && !args.json) print_tree(path);
  std::fflush(stdout);
  if (const Diagnosis* error = report.first_error()) {
    print_error(path, fmt::format("{} [{}]", error->message, error->code));
    return kExitProblem;
  }
  return kExitOk;
}

// --selected-ops-yaml: one list for every file, nothing else on stdout.
int print_selected_ops(const InspectArgs& args, const InspectOptions& options) {
  SelectedOperators selected;
  for (const std::string& path : args.paths) {
    try {
      add_selected_operators(inspect_path(path, options), selected);
    } catch (const Error& error) {
      print_error(path, error.what());
      return error.kind() == ErrorKind::Io ? kExitUsage : kExitProblem;
    }
  }
  std::printf("%s", render_selected_ops_yaml(selected).c_str());
  return kExitOk;
}

void run_inspect(const InspectArgs& args, RunState& state) {
  if (!args.load_ops.empty() && !args.try_load) throw Error(ErrorKind::Usage, "--load-ops goes with --try-load");
  InspectOptions options;
  options.apple_os = parse_apple_os(args.runtime);
  if (!args.runtime.empty() && !options.apple_os)
    options.runtime = parse_runtime_flag(args.runtime, "an Apple OS such as ios15");
  if (args.selected_ops_yaml) {
    state.exit_code = print_selected_ops(args, options);
    return;
  }
  int worst = kExitOk;
  for (size_t i = 0; i < args.paths.size(); ++i) {
    if (i > 0 && !args.json) std::printf("\n");
    int code = inspect_one(args.paths[i], args, options);
    // Unreadable files (2) outrank problems found in readable ones (1).
    worst = std::max(worst, code);
  }
  state.exit_code = worst;
}

}  // namespace

void setup_inspect(CLI::App* command, RunState& state) {
  auto args = std::make_shared<InspectArgs>();
  std::string about(
      "Identifies each FILE by its content (TorchScript, lite interpreter, torch.save, pickle, ExecuTorch, ONNX, "
      "Core ML, TFLite, safetensors, GGUF...) and reports its versions, which LibTorch releases load it, its "
      "methods, operators, tensors and extra files, and diagnoses with fixes. An app (.apk, .aab, .ipa, .aar, any "
      "zip, or a folder such as Foo.app) is searched for every model inside, found by content. Nothing in the file is executed, "
      "and LibTorch is not loaded (except with --try-load).");
  command->add_option("files", args->paths, "Model files to inspect")->required()->type_name("FILE");
  command->add_flag("--json", args->json, "One JSON document per file, one per line (schema: docs/inspect-json.md)");
  command->add_flag("-a,--all", args->all, "List every record, operator, class, method and extra file");
  command->add_option("--runtime", args->runtime,
                      "The LibTorch / LibTorch-Lite release the app ships (e.g. 1.10), or for Core ML the OS it "
                      "targets (ios15, macos12, watchos8, tvos15): diagnose what it cannot load")
      ->type_name("X.Y|OS");
  command->add_flag("--selected-ops-yaml", args->selected_ops_yaml,
                    "Print only the operators a selective build must keep, for all FILEs together: SELECTED_OP_LIST "
                    "YAML for lite models (as torch.jit.export_opnames), selected_operators.yaml for ExecuTorch .pte");
  command->add_flag("--tree", args->tree, "Also print the main pickle's full symbolic tree (text output only)");
  command->add_flag("--try-load", args->try_load,
                    "Also load the file with the LibTorch mtool links (slower: starts LibTorch)");
  add_load_ops_option(*command, args->load_ops);
  command->footer(about + "\n\n" + kInspectExitHelp);
  command->callback([args, &state] { run_inspect(*args, state); });
}

}  // namespace mtool::cli
