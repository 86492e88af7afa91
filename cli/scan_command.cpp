// mtool scan PATH...
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "batch/jsonl_writer.h"
#include "batch/path_source.h"
#include "batch/recorded_paths.h"
#include "batch_flags.h"
#include "commands.h"
#include "error_line.h"
#include "exit_codes.h"
#include "render_scan.h"
#include "scan/scanner.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

namespace fs = std::filesystem;

struct ScanArgs {
  std::vector<std::string> paths;
  std::vector<std::string> allow;
  bool json = false;
  BatchFlags batch;
};

void count(ScanTally& tally, const std::string& status) {
  if (status == "dangerous") ++tally.dangerous;
  else if (status == "unknown") ++tally.unknown;
  else if (status == "incomplete") ++tally.incomplete;
  else if (status == "unreadable") ++tally.unreadable;
  else ++tally.safe;
}

int exit_code(const ScanTally& tally) {
  if (tally.dangerous > 0) return kExitProblem;
  if (tally.unreadable > 0) return kExitUsage;
  if (tally.unknown > 0 || tally.incomplete > 0) return kExitUnknown;
  return kExitOk;
}

// Columns a scan line takes after its path: the status word and the first finding's start.
constexpr size_t kScanLineRoom = 30;

void run_scan(const ScanArgs& args, RunState& state) {
  GlobalPolicy policy;
  policy.allowed.insert(args.allow.begin(), args.allow.end());
  ScanTally tally;
  std::optional<RecordedPaths> recorded;
  if (!args.batch.resume.empty()) {
    recorded = RecordedPaths::load(args.batch.resume, kScanRecordSchema, kScanSummarySchema,
                                   [&](const nlohmann::json& record) { count(tally, record.value("status", "")); });
  }
  PathSourceOptions options = path_source_options(args.batch, args.paths, recorded ? &*recorded : nullptr);
  bool jsonl = args.json || recorded;
  std::optional<JsonlWriter> writer;
  if (jsonl) writer.emplace(args.batch.resume);
  size_t width = jsonl ? 0 : count_paths(options, kScanLineRoom).column;
  Style out_style = style_for(stdout);
  PathSource source(options, std::cin);
  while (std::optional<PathItem> item = source.next()) {
    std::string error = item->error;
    ScanReport report;
    if (error.empty()) {
      try {
        report = scan_file(item->path, policy);
      } catch (const Error& failure) {
        error = failure.what();
      }
    }
    if (!error.empty()) {
      count(tally, "unreadable");
      print_error(item->path, error);
      if (writer) writer->write(scan_unreadable_json(item->path, error));
      continue;
    }
    count(tally, scan_status(report));
    if (writer) writer->write(scan_record_json(report));
    else std::printf("%s\n", scan_text_line(report, width, out_style).c_str());
  }
  note_skipped_links(source.skipped_linked_folders());
  if (writer) {
    std::optional<std::string> shard = options.shard ? std::optional(options.shard->text()) : std::nullopt;
    std::optional<size_t> resumed = recorded ? std::optional(recorded->size()) : std::nullopt;
    writer->write(scan_summary_json(tally, shard, resumed));
  } else {
    std::printf("\n%s\n", scan_summary_text(tally).c_str());
  }
  state.exit_code = exit_code(tally);
}

}  // namespace

void setup_scan(CLI::App* command, RunState& state) {
  auto args = std::make_shared<ScanArgs>();
  command->add_option("paths", args->paths, "Files or folders (scanned recursively; symlinked folders inside are not followed, and said so), or - for paths on stdin")
      ->type_name("PATH");
  command->add_flag("--json", args->json, "One JSON document per file, then a summary, one per line");
  command->add_option("--allow", args->allow, "Accept this global as safe (repeatable), e.g. --allow mypkg.MyModel")
      ->type_name("MODULE.NAME")
      ->allow_extra_args(false);
  add_batch_flags(*command, args->batch);
  command->footer(
      "Reads every pickle a loader would unpickle from each file (from byte 0 whatever the first opcode; "
      "PyTorch zips and nested zips, legacy torch.save streams, NumPy object arrays, joblib's compressed "
      "streams, 7z and tar archives) and classifies each global it names: safe (by exact name on the "
      "allowlist: what torch.load(weights_only=True) accepts, plus value builders and numpy array rebuilds), dangerous (runs "
      "code or reaches the system: os, subprocess, builtins.eval, ...), or unknown (anything else). Nothing is "
      "unpickled. A file that cannot be read through is never called safe.\n\n"
      "Exit codes:\n"
      "  0   only safe globals, everything read\n"
      "  1   something dangerous\n"
      "  2   usage error, or a file could not be read\n"
      "  3   unknown globals, or parts that could not be scanned, but nothing known to be dangerous\n");
  command->callback([args, &state] {
    if (args->paths.empty() && args->batch.files_from.empty()) {
      throw Error(ErrorKind::Usage, "give files or folders to scan, - for paths on stdin, or --files-from FILE");
    }
    run_scan(*args, state);
  });
}

}  // namespace mtool::cli
