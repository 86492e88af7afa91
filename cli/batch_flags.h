#pragma once
// The flags `mtool scan` and `mtool score` share for work split over many
// jobs (docs/scale.md): --files-from, -0/--null, --shard K/N, --resume.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "batch/path_source.h"

namespace mtool::cli {

struct BatchFlags {
  std::string files_from;
  bool null_separated = false;
  std::string shard;
  std::string resume;  // OUT.jsonl: records are appended there, paths already in it skipped
};

void add_batch_flags(CLI::App& command, BatchFlags& flags);

// The path source for `arguments` and the flags; `recorded` may be null.
PathSourceOptions path_source_options(const BatchFlags& flags, const std::vector<std::string>& arguments,
                                      const RecordedPaths* recorded);

// How many paths a run covers and how wide its text lines' path column is, found by
// a first pass when the paths can be listed twice (not from stdin: then 0 and
// kNarrowestPathColumn). The column is the longest path, so every line aligns; on a
// terminal it is at most the terminal's width less `room` (what the rest of a line
// takes), and at least kNarrowestPathColumn.
constexpr size_t kNarrowestPathColumn = 40;
struct PathCount {
  size_t paths = 0;
  size_t column = kNarrowestPathColumn;
};
PathCount count_paths(const PathSourceOptions& options, size_t room);

// One note on stderr when a walked folder held symlinked folders, which are not followed.
void note_skipped_links(const SkippedLinks& skipped);

}  // namespace mtool::cli
