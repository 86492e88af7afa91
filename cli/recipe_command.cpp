// mtool recipe show|set MODEL
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "archive/repack.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "io/atomic_output.h"
#include "io/error.h"
#include "io/mapped_file.h"
#include "model_argument.h"
#include "operator_flag.h"
#include "planning/bench_plan.h"
#include "planning/verification_inputs.h"
#include "recipe_flags.h"
#include "runtime_call.h"
#include "score/labels.h"
#include "score/recipe.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct RecipeArgs {
  std::string model;
  std::string output;
  std::string labels;
  bool force = false;
  RecipeFlags flags;
};

// A model score and bench run (TorchScript, lite zip or flatbuffer); anything
// else, damaged copies included, gets inspect's diagnosis and exit code 1.
ModelReport runnable_model(const std::string& path) {
  ModelReport report = inspect_model_argument(path);
  bool runs = report.format == ModelFormat::TorchScript || report.format == ModelFormat::Lite ||
              report.format == ModelFormat::LiteFlatbuffer;
  if (!runs) {
    throw Error(ErrorKind::Format,
                fmt::format("{}: no recipe: score and bench cannot run it: {}", path, report.refusal()));
  }
  return report;
}

ModelReport zip_model(const std::string& path) {
  ModelReport report = runnable_model(path);
  if (report.format != ModelFormat::TorchScript && report.format != ModelFormat::Lite) {
    throw Error(ErrorKind::Format, fmt::format("{}: a recipe is stored in a TorchScript or lite zip archive; this is {}",
                                               path, format_name(report.format)));
  }
  return report;
}

void show_recipe(const RecipeArgs& args) {
  print_recipe(args.model, resolve_recipe(runnable_model(args.model), Json::object()));
}

// Names that do not fit the model's output would be passed over for ImageNet's when it is scored, so their
// count is checked against one run of the written model on its recipe's input. A model that cannot be run
// here, or whose output is not one row of scores, is written with a note that the count was not checked.
void check_label_count(const ModelReport& written, const std::string& labels_file, size_t names) {
  auto unchecked = [&](const std::string& why) {
    std::fprintf(stderr, "mtool: note: %s: the label count was not checked: %s\n", labels_file.c_str(), why.c_str());
  };
  Json inputs = verification_inputs(written, {}, {});
  if (inputs.contains("not_compared")) return unchecked(inputs["not_compared"].get<std::string>());
  Json answer;
  try {
    load_operator_libraries({}, {&written});
    answer =
        call_runtime("output", {{"path", written.path}, {"loader", loader_for(written, "run")}, {"model", inputs}});
  } catch (const Error& error) {
    return unchecked(error.what());
  }
  std::vector<int64_t> shape = answer.value("shape", std::vector<int64_t>{});
  bool row = shape.size() == 1 || (shape.size() == 2 && shape[0] == 1);
  if (!row) return unchecked("the output is " + answer.value("output", std::string("not a tensor")));
  auto classes = static_cast<size_t>(shape.back());
  if (classes != names) {
    throw Error(ErrorKind::Usage, fmt::format("--labels {}: {} names for a {}-class output; give one name per class",
                                              labels_file, names, classes));
  }
}

// The stored recipe's keys (labels, output, name, ...) are kept; the recipe
// fields become the full effective recipe with the flags applied.
void set_recipe(const RecipeArgs& args) {
  ModelReport report = zip_model(args.model);
  ResolvedRecipe resolved = resolve_recipe(report, recipe_overrides(args.flags));
  // A sidecar's keys stay in the sidecar; only the archive's own are carried over.
  Json stored = recipe_with_stored_keys(resolved.recipe, stored_recipe_text(report) ? resolved.stored : Json::object());
  if (!args.labels.empty()) stored["labels"] = read_labels_file(args.labels);
  std::string destination = args.output.empty() ? args.model : args.output;
  ExistingOutput existing = !args.output.empty() ? (args.force ? ExistingOutput::Replace : ExistingOutput::Refuse)
                                                 : ExistingOutput::Update;
  AtomicOutput output(destination, existing);
  {
    MappedFile input(args.model);
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(output.temp_path().c_str(), "wb"), std::fclose);
    if (!out) throw Error(ErrorKind::Io, fmt::format("cannot write {}", output.temp_path()));
    repack_archive(input.bytes(), "", out.get(), {{"extra/mtool.json", stored.dump(2) + "\n"}});
    if (std::fflush(out.get()) != 0) throw Error(ErrorKind::Io, fmt::format("cannot write {}", output.temp_path()));
  }
  ModelReport written = inspect_path(output.temp_path(), {});
  if (written.format != report.format || !stored_recipe_text(written)) {
    throw Error(ErrorKind::Format, fmt::format("the rewritten archive does not read back as {}", format_name(report.format)));
  }
  if (!args.labels.empty()) check_label_count(written, args.labels, stored["labels"].size());
  output.commit();
  std::fprintf(stderr, "%s: stored recipe: %s\n", destination.c_str(), describe_recipe(resolved.recipe).c_str());
}

}  // namespace

void setup_recipe(CLI::App* command, RunState& state) {
  auto args = std::make_shared<RecipeArgs>();
  command->require_subcommand(1);
  // Its own codes, not the program's (scan's 3 does not apply here).
  command->footer(kRecipeExitHelp);
  CLI::App* show = command->add_subcommand("show", "Print the recipe in effect for a model and where it comes from");
  show->add_option("model", args->model, "Model file")->required()->type_name("MODEL");
  show->footer(kRecipeExitHelp);
  show->callback([args] { show_recipe(*args); });
  CLI::App* set = command->add_subcommand("set", "Store a recipe in the model archive (extra/mtool.json)");
  set->add_option("model", args->model, "TorchScript (.pt) or lite (.ptl) zip archive")->required()->type_name("MODEL");
  set->add_option("-o,--output", args->output, "Write a new file instead of rewriting MODEL")->type_name("FILE");
  set->add_flag("--force", args->force, "Replace the -o file if it exists");
  set->add_option("--labels", args->labels, "Also store these class names (one per line, or a JSON list)")->type_name("FILE");
  add_recipe_flags(*set, args->flags);
  set->callback([args] { set_recipe(*args); });
  set->footer("Fields not given keep the stored value, else torchvision's ImageNet default. The archive is rewritten "
              "record for record; MODEL is replaced only once the new file reads back, keeping its mode, owner, hard links and "
              "symlinks (a symlinked MODEL is rewritten where it points).\n\n" + std::string(kRecipeExitHelp));
  (void)state;
}

}  // namespace mtool::cli
