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

// One note on stderr when a walked folder held symlinked folders, which are not followed.
void note_skipped_links(const SkippedLinks& skipped);

}  // namespace mtool::cli
