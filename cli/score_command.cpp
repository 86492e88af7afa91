// mtool score [--model MODEL] PHOTO|FOLDER|- ...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "io/atomic_output.h"
#include "io/error.h"
#include "model_argument.h"
#include "score/builtin_model.h"
#include "progress.h"
#include "recipe_flags.h"
#include "runtime_call.h"
#include "score/image_paths.h"
#include "score/score_plan.h"
#include "score_output.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

struct ScoreArgs {
  std::vector<std::string> images;
  std::string model;
  std::string labels;
  RecipeFlags recipe;
  int top_k = 0;  // 0: 3 on the terminal, 5 in JSON
  int batch = 1;
  int threads = 0;
  bool json = false;
  bool csv = false;
  bool timings = false;
  bool show_recipe = false;
  std::string save_inputs;
};

// Argument problems (a missing path) are results too, in their place.
Json argument_error(const ImageArgument& argument) {
  return {{"event", "image"}, {"path", argument.path}, {"error", argument.error}};
}

class ScorePrinter {
 public:
  ScorePrinter(const ScoreArgs& args, const ScorePlan& plan, const std::vector<ImageArgument>& images)
      : args_(args), plan_(plan), progress_(images.size()) {
    size_t longest = 0;
    for (const ImageArgument& image : images) longest = std::max(longest, image.path.size());
    line_options_ = {std::min<size_t>(longest, 60), args.top_k > 0 ? args.top_k : 3, args.timings, style_for(stdout)};
    if (args.csv) progress_.print_line(score_csv_header());
  }

  void image(const Json& event) {
    if (!event["error"].is_null()) ++failed_;
    std::string line;
    if (args_.json) {
      line = score_json(event, plan_.model_name, plan_.model_version).dump(-1, ' ', false, Json::error_handler_t::replace);
    } else if (args_.csv) {
      line = score_csv_row(event);
    } else {
      line = score_text_line(event, line_options_);
    }
    progress_.print_line(line);
    progress_.advance();
  }

  size_t failed() const { return failed_; }

 private:
  const ScoreArgs& args_;
  const ScorePlan& plan_;
  Progress progress_;
  ScoreLineOptions line_options_;
  size_t failed_ = 0;
};

// `loaded` and `done` are null when no photo could even be opened: the model never ran.
void print_summary(const Json& loaded, const Json& done, size_t failed, size_t total) {
  Style style = style_for(stderr);
  if (!done.is_null()) {
    std::string timing = fmt::format("{} image{} in {:.2f} s ({:.1f}/s); model loaded in {:.0f} ms; "
                                     "inference threads: {}, decode workers: {}",
                                     total, total == 1 ? "" : "s", done.value("total_ms", 0.0) / 1000,
                                     done.value("images_per_s", 0.0), loaded.value("load_ms", 0.0),
                                     loaded.value("threads", 0), loaded.value("decode_workers", 0));
    std::fprintf(stderr, "%s\n", style.dim(timing).c_str());
  }
  if (failed > 0) std::fprintf(stderr, "%s\n", style.red(fmt::format("{} of {} images failed", failed, total)).c_str());
}

void write_builtin_model(const std::string& path) {
  std::string_view bytes = builtin_quality_model();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!out || std::fwrite(bytes.data(), 1, bytes.size(), out.get()) != bytes.size() || std::fflush(out.get()) != 0) {
    throw Error(ErrorKind::Io, fmt::format("cannot write the built-in model to {}", path));
  }
}

void run_score(const ScoreArgs& args, RunState& state) {
  if (args.json && args.csv) throw Error(ErrorKind::Usage, "give --json or --csv, not both");
  // No model given: the built-in quality model, written to a scratch file for LibTorch to load.
  std::optional<TempFile> builtin;
  std::string model = args.model;
  if (model.empty()) {
    builtin.emplace((std::filesystem::temp_directory_path() / "mtool-quality-model.pt").string());
    write_builtin_model(builtin->path());
    model = builtin->path();
  }
  ScorePlan plan = plan_score(inspect_model_argument(model), recipe_overrides(args.recipe), args.labels);
  if (builtin) plan.model = builtin->path();
  if (args.show_recipe) {
    // The built-in model sits in a scratch file that is gone once mtool exits: name it instead.
    print_recipe(builtin ? "(built-in)" : plan.model, plan.recipe);
    return;
  }
  if (args.images.empty()) throw Error(ErrorKind::Usage, "give photos, folders or - (paths on stdin) to score");
  std::vector<ImageArgument> images = expand_image_arguments(args.images, std::cin);
  if (images.empty()) throw Error(ErrorKind::Usage, "no image files found in the given folders or on stdin");

  ScorePrinter printer(args, plan, images);
  std::vector<std::string> runnable;
  std::vector<size_t> positions;  // where each runnable photo sits among `images`
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].error.empty()) {
      runnable.push_back(images[i].path);
      positions.push_back(i);
    }
  }
  size_t next_argument = 0;
  auto print_argument_errors_before = [&](size_t position) {
    for (; next_argument < position; ++next_argument) {
      if (!images[next_argument].error.empty()) printer.image(argument_error(images[next_argument]));
    }
  };
  Json loaded;
  Json done;
  int top_k = args.top_k > 0 ? args.top_k : 5;
  if (!runnable.empty()) {
    Json request = score_request(plan, runnable, top_k, args.batch, args.threads);
    if (!args.save_inputs.empty()) {
      std::error_code error;
      std::filesystem::create_directories(args.save_inputs, error);
      if (error) throw Error(ErrorKind::Io, fmt::format("--save-inputs {}: {}", args.save_inputs, error.message()));
      request["save_inputs"] = args.save_inputs;
    }
    stream_runtime("score", request, [&](const Json& event) {
      std::string kind = event["event"].get<std::string>();
      if (kind == "loaded") loaded = event;
      if (kind == "done") done = event;
      if (kind != "image") return;
      size_t position = positions[event["index"].get<size_t>()];
      print_argument_errors_before(position);
      next_argument = position + 1;
      printer.image(event);
    });
  }
  print_argument_errors_before(images.size());
  print_summary(loaded, done, printer.failed(), images.size());
  state.exit_code = printer.failed() > 0 ? kExitProblem : kExitOk;
}

}  // namespace

void setup_score(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* command = parent.add_subcommand("score", "Run a model on photos, prepared as it was trained, and say what it sees");
  command->add_option("images", args->images, "Photos, folders (searched recursively for images), or - for paths on stdin")
      ->type_name("PHOTO|FOLDER|-");
  command->add_option("-m,--model", args->model,
                      "TorchScript (.pt) or lite (.ptl) model (default: mtool's built-in image-quality model)")
      ->type_name("MODEL");
  command->add_option("--labels", args->labels, "Class names, one per line (or a JSON list), for a classifier's outputs")
      ->type_name("FILE");
  command->add_option("--top", args->top_k, "Classes to show per photo (default 3; 5 in --json)")->check(CLI::Range(1, 1000));
  command->add_option("--batch", args->batch, "Photos per forward call (default 1)")->check(CLI::Range(1, 1024));
  command->add_option("--threads", args->threads, "Inference threads and decode workers (default: LibTorch's choice, one decode worker per core)")
      ->check(CLI::Range(1, 1024));
  command->add_flag("--json", args->json, "JSON Lines: one object per photo (schema: docs/score-json.md)");
  command->add_flag("--csv", args->csv, "CSV with a header row");
  command->add_flag("--timings", args->timings, "Show decode, preprocess and inference time per photo");
  command->add_option("--save-inputs", args->save_inputs,
                      "Save each photo's input tensor to DIR/NNNNNN.pt (torch.load reads them), to compare pipelines")
      ->type_name("DIR");
  command->add_flag("--show-recipe", args->show_recipe, "Print the preprocessing recipe in effect and where it came from, then stop");
  add_recipe_flags(*command, args->recipe);
  command->footer(
      "Photos are decoded with libvips (JPEG, PNG, WebP, TIFF, HEIC, GIF; 8/16-bit, grey, RGBA, CMYK), turned upright "
      "by their EXIF orientation, converted to sRGB, alpha flattened on white, then resized, center-cropped and "
      "normalised by the recipe: flags, else the model's extra/mtool.json (`mtool recipe set`), else a sidecar "
      "MODEL.json, else torchvision's ImageNet recipe (resize 256, crop 224, ImageNet mean/std). A photo that "
      "cannot be decoded is reported on its own line and the others are still scored.\n\n"
      "Exit codes: 0 every photo scored; 1 some photo failed, or the model cannot run or rejected its input; "
      "2 usage error or unreadable model; 70 internal error.\n");
  command->callback([args, &state] { run_score(*args, state); });
}

}  // namespace mtool::cli
