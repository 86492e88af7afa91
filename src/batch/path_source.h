#pragma once
// The paths a batch command (scan, score) works through, one at a time, so a
// list of millions is never held: arguments as given (files, folders walked
// recursively, `-` for a list on stdin), then the list in `--files-from`.
// Lists are newline-separated, or NUL-separated with `-0` (as `find -print0`,
// `fd -0` and `xargs -0` use). A folder is walked in sorted order holding one
// directory's names per level, so memory grows with the largest directory,
// not with the tree. `--shard K/N` keeps only the paths of shard K, and a
// resumed run skips the paths already recorded.
#include <cstdint>
#include <fstream>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch/recorded_paths.h"
#include "batch/shard.h"

namespace mtool {

struct PathItem {
  std::string path;
  std::string error;  // set when the path itself is unusable (a folder that cannot be listed, a missing file)
};

// Symlinked folders met inside a walked folder, which are not followed.
struct SkippedLinks {
  uint64_t count = 0;
  std::string first;  // the first one met, to name in a message
};

struct PathSourceOptions {
  std::vector<std::string> arguments;  // files, folders, "-" (a list on stdin)
  std::string files_from;              // a list file, "-" for stdin, or empty
  char separator = '\n';               // '\0' with -0 / --null
  // Which files found inside folders count (score: images by extension); all when empty.
  std::function<bool(const std::string&)> folder_filter;
  bool report_missing = false;         // a path that does not exist becomes an item with an error
  std::optional<Shard> shard;
  const RecordedPaths* recorded = nullptr;  // paths a resumed run already did
  std::string own_output;                   // the run's --resume file, never an input of itself

  // False when the paths come from stdin, which can be read only once.
  bool rereadable() const;
};

class PathSource {
 public:
  // Throws Error(Usage) for stdin named twice and Error(Io) for a --files-from that cannot be opened.
  PathSource(PathSourceOptions options, std::istream& stdin_list);
  ~PathSource();

  // The next path of this shard not yet recorded, or nothing at the end. Throws Error(Usage) for a
  // newline-separated list holding a NUL byte (a NUL-separated list read without -0), so no path is
  // silently dropped.
  std::optional<PathItem> next();

  uint64_t skipped_as_recorded() const { return skipped_recorded_; }
  const SkippedLinks& skipped_linked_folders() const { return skipped_links_; }

 private:
  struct FolderWalk;
  struct ListReader;

  std::optional<PathItem> next_candidate();
  std::optional<PathItem> expand(const std::string& path);
  bool open_next_list();

  PathSourceOptions options_;
  std::istream& stdin_list_;
  size_t next_argument_ = 0;
  bool files_from_opened_ = false;
  std::unique_ptr<std::ifstream> files_from_file_;
  std::unique_ptr<ListReader> list_;
  std::unique_ptr<FolderWalk> walk_;
  uint64_t skipped_recorded_ = 0;
  SkippedLinks skipped_links_;
};

}  // namespace mtool
