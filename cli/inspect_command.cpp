// mtool inspect FILE...
#include <cstdio>
#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "inspect/symbolic_tree.h"
#include "io/mapped_file.h"
#include "render.h"
#include "runtime_loader.h"

namespace mtool::cli {

namespace {

struct InspectArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool all = false;
  bool try_load = false;
  bool tree = false;
  std::string runtime;
};

void print_error(const std::string& path, const std::string& message) {
  Style style = style_for(stderr);
  std::fprintf(stderr, "%s %s: %s\n", style.red("mtool: error:").c_str(), terminal_safe(path).c_str(),
               terminal_safe(message).c_str());
}

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

int inspect_one(const std::string& path, const InspectArgs& args, const InspectOptions& options) {
  ModelReport report;
  try {
    report = inspect_path(path, options);
  } catch (const Error& error) {
    if (args.json) std::printf("%s\n", render_json_error(path, "io", error.what()).c_str());
    print_error(path, error.what());
    return kExitUsage;
  }
  if (args.try_load) try_loading(report);
  if (args.json) {
    std::printf("%s\n", render_json(report).c_str());
  } else {
    std::printf("%s", terminal_safe(render_text(report, style_for(stdout), {args.all})).c_str());
  }
  if (args.tree && !args.json) print_tree(path);
  std::fflush(stdout);
  if (const Diagnosis* error = report.first_error()) {
    print_error(path, fmt::format("{} [{}]", error->message, error->code));
    return kExitProblem;
  }
  return kExitOk;
}

void run_inspect(const InspectArgs& args, RunState& state) {
  InspectOptions options;
  if (!args.runtime.empty()) {
    options.runtime = find_runtime_release(args.runtime);
    if (!options.runtime) {
      std::string known;
      for (const RuntimeRelease& release : runtime_releases()) known += std::string(known.empty() ? "" : ", ") + release.version;
      throw CLI::ValidationError("--runtime", fmt::format("unknown release '{}' (known: {})", args.runtime, known));
    }
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

void setup_inspect(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* command = parent.add_subcommand("inspect", "Identify model files and say what they need to load");
  std::string about(
      "Identifies each FILE by its content (TorchScript, lite interpreter, torch.save, pickle, ExecuTorch, ONNX, "
      "Core ML, TFLite, safetensors, GGUF...) and reports its versions, which LibTorch releases load it, its "
      "methods, operators, tensors and extra files, and diagnoses with fixes. Nothing in the file is executed, "
      "and LibTorch is not loaded (except with --try-load).");
  command->add_option("files", args->paths, "Model files to inspect")->required()->type_name("FILE");
  command->add_flag("--json", args->json, "One JSON document per file, one per line (schema: docs/inspect-json.md)");
  command->add_flag("-a,--all", args->all, "List every record, operator, class, method and extra file");
  command->add_option("--runtime", args->runtime,
                      "The LibTorch / LibTorch-Lite release the app ships (e.g. 1.10): diagnose what it cannot load")
      ->type_name("X.Y");
  command->add_flag("--tree", args->tree, "Also print the main pickle's full symbolic tree (text output only)");
  command->add_flag("--try-load", args->try_load,
                    "Also load the file with the LibTorch mtool links (slower: starts LibTorch)");
  command->footer(about + "\n\n" + kExitCodeHelp);
  command->callback([args, &state] { run_inspect(*args, state); });
}

}  // namespace mtool::cli
