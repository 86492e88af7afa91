// mtool score [--model MODEL] PHOTO|FOLDER|- ...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "batch/jsonl_writer.h"
#include "batch/path_source.h"
#include "batch/recorded_paths.h"
#include "batch_flags.h"
#include "commands.h"
#include "exit_codes.h"
#include "inspect/inspector.h"
#include "io/atomic_output.h"
#include "io/error.h"
#include "io/json_text.h"
#include "model_argument.h"
#include "planning/score_plan.h"
#include "progress.h"
#include "operator_flag.h"
#include "qengine_flag.h"
#include "recipe_flags.h"
#include "runtime_call.h"
#include "score/builtin_model.h"
#include "score/image_paths.h"
#include "score_output.h"
#include "terminal.h"
#include "text_width.h"
#include "thread_count.h"

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
  std::string qengine;  // LibTorch's quantized engine, empty: qnnpack (the runtime's default)
  std::vector<std::string> load_ops;
  bool json = false;
  bool csv = false;
  bool timings = false;
  bool show_recipe = false;
  std::string save_inputs;
  BatchFlags batch_flags;
};

constexpr const char* kRecordSchema = "mtool.score/1";
constexpr const char* kSummarySchema = "mtool.score-summary/1";
// Photos per runtime call: the list in memory stays this long however many photos are streamed,
// at the cost of loading the model once per chunk (tens of ms against ~10 s of scoring).
constexpr size_t kChunkSize = 512;

// Argument problems (a missing path) are results too, in their place.
Json argument_error(const PathItem& argument) {
  return {{"event", "image"}, {"path", argument.path}, {"error", argument.error}};
}

// Columns a score line takes after its path: the score and the verdict's start.
constexpr size_t kScoreLineRoom = 30;

class ScorePrinter {
 public:
  // Records go to `file` when given (--resume), else to stdout.
  ScorePrinter(const ScoreArgs& args, const ScorePlan& plan, const PathCount& count, JsonlWriter* file)
      : args_(args), plan_(plan), progress_(count.paths), file_(file) {
    line_options_ = {count.column, args.top_k > 0 ? args.top_k : 3, args.timings, style_for(stdout)};
    if (args.csv && !file_) progress_.print_line(score_csv_header());
  }

  void image(const Json& event) {
    ++photos_;
    if (!event["error"].is_null()) ++failed_;
    std::string line;
    if (file_) {
      file_->write(score_json(event, plan_.model_name, plan_.model_version));
      progress_.advance();
      return;
    }
    if (args_.json) {
      line = json_text(score_json(event, plan_.model_name, plan_.model_version));
    } else if (args_.csv) {
      line = score_csv_row(event);
    } else {
      line = score_text_line(event, line_options_);
    }
    progress_.print_line(line);
    progress_.advance();
  }

  // The records of the run this one resumes.
  void recorded(size_t photos, size_t failed) {
    photos_ += photos;
    failed_ += failed;
  }

  // The last line of a shard's or resumed run's JSON Lines.
  void summary(const PathSourceOptions& options, size_t resumed) {
    Json summary = {{"schema", kSummarySchema}, {"images", photos_}, {"scored", photos_ - failed_}, {"failed", failed_}};
    if (options.shard) summary["shard"] = options.shard->text();
    if (options.recorded != nullptr) summary["resumed"] = resumed;
    if (file_) file_->write(summary);
    else progress_.print_line(summary.dump());
  }

  size_t photos() const { return photos_; }
  size_t failed() const { return failed_; }
  // Before a line on stderr, so it does not run into the bar.
  void erase_progress() { progress_.erase(); }

 private:
  const ScoreArgs& args_;
  const ScorePlan& plan_;
  Progress progress_;
  JsonlWriter* file_;
  ScoreLineOptions line_options_;
  size_t photos_ = 0;
  size_t failed_ = 0;
};

// Said for a quantized model, and whenever --qengine chose it (the engine in effect is in `loaded`).
std::string quantized_engine_note(const Json& loaded) {
  return loaded.value("qengine_chosen", false) ? fmt::format("; quantized engine: {}", loaded.value("qengine", "")) : "";
}

// `loaded` and `done` are null when no photo could even be opened: the model never ran.
void print_summary(const Json& loaded, const Json& done, size_t failed, size_t total) {
  Style style = style_for(stderr);
  if (!done.is_null()) {
    size_t scored = done.value("images", total);  // a resumed run times only the photos it ran
    std::string timing = fmt::format("{} image{} in {:.2f} s ({:.1f}/s); model loaded in {:.0f} ms; "
                                     "inference threads: {}, decode workers: {}{}",
                                     scored, scored == 1 ? "" : "s", done.value("total_ms", 0.0) / 1000,
                                     done.value("images_per_s", 0.0), loaded.value("load_ms", 0.0),
                                     loaded.value("threads", 0), loaded.value("decode_workers", 0),
                                     quantized_engine_note(loaded));
    // Wrapped before it is styled, on a terminal only (piped, it stays one line for scripts).
    std::fprintf(stderr, "%s\n", style.dim(wrap_line(timing, wrap_width(stderr), 2)).c_str());
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

// A score run over streamed paths: chunks of photos through the runtime, records
// in the order the paths came, the summary and the totals at the end.
class ScoreBatch {
 public:
  ScoreBatch(const ScoreArgs& args, const ScorePlan& plan) : args_(args), plan_(plan) {
    if (!args.batch_flags.resume.empty()) {
      if (args.csv) throw Error(ErrorKind::Usage, "--resume writes JSON Lines: give it without --csv");
      recorded_ = RecordedPaths::load(args.batch_flags.resume, kRecordSchema, kSummarySchema,
                                      [this](const nlohmann::json& record) {
                                        ++resumed_photos_;
                                        if (!record["error"].is_null()) ++resumed_failed_;
                                      });
      writer_.emplace(args.batch_flags.resume);
    }
    options_ = path_source_options(args.batch_flags, args.images, recorded_ ? &*recorded_ : nullptr);
    options_.folder_filter = has_image_extension;
    options_.report_missing = true;
    warn_if_more_threads_than_cores(args.threads);
    request_ = score_request(plan, {}, args.top_k > 0 ? args.top_k : 5, args.batch, args.threads);
    if (!args.qengine.empty()) request_["qengine"] = args.qengine;
    if (!args.save_inputs.empty()) {
      std::error_code error;
      std::filesystem::create_directories(args.save_inputs, error);
      if (error) throw Error(ErrorKind::Io, fmt::format("--save-inputs {}: {}", args.save_inputs, error.message()));
      request_["save_inputs"] = args.save_inputs;
    }
  }

  void run() {
    PathSource source(options_, std::cin);
    std::vector<PathItem> chunk;
    while (std::optional<PathItem> item = source.next()) {
      if (!printer_) start_printing();
      chunk.push_back(std::move(*item));
      if (chunk.size() == kChunkSize) score_chunk(chunk);
    }
    if (!chunk.empty()) score_chunk(chunk);
    note_skipped_links(source.skipped_linked_folders());
  }

  void finish() {
    if (!printer_) start_printing();
    if (writer_ || options_.shard) printer_->summary(options_, recorded_ ? recorded_->size() : 0);
    Json done;
    if (timed_photos_ > 0) {
      double per_s = total_ms_ > 0 ? static_cast<double>(timed_photos_) * 1000.0 / total_ms_ : 0.0;
      done = {{"images", printer_->photos() - resumed_photos_}, {"total_ms", total_ms_}, {"images_per_s", per_s}};
    }
    printer_->erase_progress();
    print_summary(loaded_, done, printer_->failed(), printer_->photos());
  }

  size_t photos() const { return printer_ ? printer_->photos() : 0; }
  size_t failed() const { return printer_ ? printer_->failed() : 0; }

 private:
  void start_printing() {
    printer_.emplace(args_, plan_, writer_ ? PathCount{} : count_paths(options_, kScoreLineRoom),
                     writer_ ? &*writer_ : nullptr);
    printer_->recorded(resumed_photos_, resumed_failed_);
  }

  // Photos whose path is already unusable get their record in their place; the rest run.
  void score_chunk(std::vector<PathItem>& chunk) {
    std::vector<std::string> runnable;
    std::vector<size_t> positions;  // where each runnable photo sits in `chunk`
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (chunk[i].error.empty()) {
        runnable.push_back(chunk[i].path);
        positions.push_back(i);
      }
    }
    size_t next = 0;
    auto print_errors_before = [&](size_t position) {
      for (; next < position; ++next) {
        if (!chunk[next].error.empty()) printer_->image(argument_error(chunk[next]));
      }
    };
    if (!runnable.empty()) {
      request_["images"] = runnable;
      request_["save_inputs_first"] = saved_inputs_;
      request_["model_ran"] = model_ran_;
      stream_runtime(
          "score", request_,
          [&](const Json& event) {
            std::string kind = event["event"].get<std::string>();
            if (kind == "loaded" && loaded_.is_null()) {
              loaded_ = event;
              loaded_["qengine_chosen"] = !args_.qengine.empty() || plan_.quantized;
            }
            if (kind == "done") total_ms_ += event.value("total_ms", 0.0);
            if (kind == "note") {
              if (printer_) printer_->erase_progress();
              std::fprintf(stderr, "mtool: note: %s\n", terminal_safe(event.value("text", "")).c_str());
              fallback_batch_ = event.value("batch", 0);
            }
            if (kind != "image") return;
            if (event.contains("output")) model_ran_ = true;
            size_t position = positions[event["index"].get<size_t>()];
            print_errors_before(position);
            next = position + 1;
            printer_->image(event);
          },
          args_.model.empty() ? "the built-in quality model" : plan_.model);
      if (fallback_batch_ > 0) request_["batch"] = fallback_batch_;  // later chunks too
      timed_photos_ += runnable.size();
      saved_inputs_ += runnable.size();
    }
    print_errors_before(chunk.size());
    chunk.clear();
  }

  const ScoreArgs& args_;
  const ScorePlan& plan_;
  int fallback_batch_ = 0;  // the batch size the runtime fell back to, if it did
  std::optional<RecordedPaths> recorded_;
  size_t resumed_photos_ = 0;  // records already in the --resume file
  size_t resumed_failed_ = 0;
  std::optional<JsonlWriter> writer_;
  PathSourceOptions options_;
  Json request_;
  std::optional<ScorePrinter> printer_;
  Json loaded_;
  double total_ms_ = 0;
  size_t timed_photos_ = 0;
  size_t saved_inputs_ = 0;
  bool model_ran_ = false;  // once it has, a photo it fails on is that photo's error in every later chunk
};

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
  ModelReport report = inspect_model_argument(model);
  ScorePlan plan = plan_score(report, recipe_overrides(args.recipe), args.labels);
  if (builtin) plan.model = builtin->path();
  if (args.show_recipe) {
    // The built-in model sits in a scratch file that is gone once mtool exits: name it instead.
    print_recipe(builtin ? "(built-in)" : plan.model, plan.recipe);
    return;
  }
  if (args.images.empty() && args.batch_flags.files_from.empty()) {
    throw Error(ErrorKind::Usage, "give photos, folders, - (paths on stdin) or --files-from FILE to score");
  }
  load_operator_libraries(args.load_ops, {&report});
  ScoreBatch batch(args, plan);
  batch.run();
  if (batch.photos() == 0 && args.batch_flags.shard.empty() && args.batch_flags.resume.empty()) {
    throw Error(ErrorKind::Usage, "no image files found in the given folders or on stdin");
  }
  batch.finish();
  state.exit_code = batch.failed() > 0 ? kExitProblem : kExitOk;
}

}  // namespace

void setup_score(CLI::App* command, RunState& state) {
  auto args = std::make_shared<ScoreArgs>();
  command->add_option("images", args->images, "Photos, folders (searched recursively for images), or - for paths on stdin")
      ->type_name("PHOTO|FOLDER|-");
  command->add_option("-m,--model", args->model,
                      "TorchScript (.pt) or lite (.ptl) model (default: mtool's built-in image-quality model)")
      ->type_name("MODEL");
  command->add_option("--labels", args->labels, "Class names, one per line (or a JSON list), for a classifier's outputs")
      ->type_name("FILE");
  command->add_option("--top", args->top_k, "Classes to show per photo (default 3; 5 in --json)")->check(CLI::Range(1, 1000));
  command->add_option("--batch", args->batch, "Photos per forward call (default 1)")->check(CLI::Range(1, 1024));
  add_qengine_flag(*command, args->qengine);
  add_load_ops_option(*command, args->load_ops);
  add_threads_option(*command, args->threads,
                     "Inference threads and decode workers (default: LibTorch's choice, one decode worker per core)");
  command->add_flag("--json", args->json, "JSON Lines: one object per photo (schema: docs/score-json.md)");
  command->add_flag("--csv", args->csv, "CSV with a header row");
  command->add_flag("--timings", args->timings, "Show decode, preprocess and inference time per photo");
  command->add_option("--save-inputs", args->save_inputs,
                      "Save each photo's input tensor to DIR/NNNNNN.pt (torch.load reads them), to compare pipelines")
      ->type_name("DIR");
  command->add_flag("--show-recipe", args->show_recipe, "Print the preprocessing recipe in effect and where it came from, then stop");
  add_recipe_flags(*command, args->recipe);
  add_batch_flags(*command, args->batch_flags);
  command->footer(
      "Photos are decoded with libvips (JPEG, PNG, WebP, TIFF, HEIC, GIF; 8/16-bit, grey, RGBA, CMYK), turned upright "
      "by their EXIF orientation, converted to sRGB, alpha flattened on white, then resized, center-cropped and "
      "normalised by the recipe: flags, else the model's extra/mtool.json (`mtool recipe set`), else a sidecar "
      "MODEL.json, else torchvision's ImageNet recipe (resize 256, crop 224, ImageNet mean/std). A photo that "
      "cannot be decoded is reported on its own line and the others are still scored.\n\n"
      + std::string(kScoreExitHelp));
  command->callback([args, &state] { run_score(*args, state); });
}

}  // namespace mtool::cli
