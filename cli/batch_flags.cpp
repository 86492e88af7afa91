#include "batch_flags.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "terminal.h"
#include "text_width.h"

namespace mtool::cli {

void add_batch_flags(CLI::App& command, BatchFlags& flags) {
  command.add_option("--files-from", flags.files_from, "Also read paths from FILE (- for stdin), one per line, streamed")
      ->type_name("FILE|-");
  command.add_flag("-0,--null", flags.null_separated,
                   "Paths on stdin and in --files-from are separated by NUL bytes (find -print0, fd -0)");
  command.add_option("--shard", flags.shard,
                     "Take only shard K of N (0-based), chosen by a stable hash of each path (docs/scale.md)")
      ->type_name("K/N");
  command.add_option("--resume", flags.resume,
                     "Append JSON Lines records to OUT.jsonl (created if absent), skipping paths already recorded there")
      ->type_name("OUT.jsonl");
}

PathSourceOptions path_source_options(const BatchFlags& flags, const std::vector<std::string>& arguments,
                                      const RecordedPaths* recorded) {
  PathSourceOptions options;
  options.arguments = arguments;
  options.files_from = flags.files_from;
  options.separator = flags.null_separated ? '\0' : '\n';
  if (!flags.shard.empty()) options.shard = parse_shard(flags.shard);
  options.recorded = recorded;
  options.own_output = flags.resume;
  return options;
}

PathCount count_paths(const PathSourceOptions& options, size_t room) {
  if (!options.rereadable()) return {};
  PathCount count{0, 0};
  PathSource source(options, std::cin);
  while (std::optional<PathItem> item = source.next()) {
    ++count.paths;
    count.column = std::max(count.column, visible_width(escaped_name(item->path)));
  }
  if (size_t terminal = wrap_width(stdout); terminal > 0) {
    count.column = std::min(count.column, std::max(kNarrowestPathColumn, terminal > room ? terminal - room : 0));
  }
  return count;
}

void note_skipped_links(const SkippedLinks& skipped) {
  if (skipped.count == 0) return;
  std::fflush(stdout);  // after the records, where a terminal shows both
  std::fprintf(stderr,
               "mtool: note: %llu symlinked folder%s not followed (%s%s); name it on the command line to include it\n",
               static_cast<unsigned long long>(skipped.count), skipped.count == 1 ? "" : "s",
               skipped.count == 1 ? "" : "first: ", escaped_name(skipped.first).c_str());
}

}  // namespace mtool::cli
