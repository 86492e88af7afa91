#include "batch/path_source.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "io/error.h"
#include "io/mapped_file.h"

namespace mtool {

namespace fs = std::filesystem;

namespace {

struct FolderEntry {
  std::string key;  // the name, with "/" after a folder's, so entries sort as their full paths do
  fs::path path;
  bool folder = false;
  bool linked_folder = false;  // a symlink to a folder: listed so the walk can say it did not follow it
};

// One directory's files and subfolders, sorted. Symlinked folders are not followed
// (a link back up the tree would loop), but kept so the caller can be told.
std::vector<FolderEntry> list_folder(const fs::path& folder, std::error_code& error) {
  std::vector<FolderEntry> entries;
  for (fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    std::error_code type_error;
    bool is_link = it->is_symlink(type_error);
    bool is_folder = it->is_directory(type_error) && !is_link;
    bool linked_folder = is_link && it->is_directory(type_error);
    if (!is_folder && !linked_folder && !it->is_regular_file(type_error)) continue;
    std::string name = it->path().filename().string();
    entries.push_back({is_folder ? name + "/" : name, it->path(), is_folder, linked_folder});
  }
  std::sort(entries.begin(), entries.end(), [](const FolderEntry& a, const FolderEntry& b) { return a.key < b.key; });
  return entries;
}

}  // namespace

struct PathSource::FolderWalk {
  struct Level {
    std::vector<FolderEntry> entries;
    size_t next = 0;
  };
  std::vector<Level> levels;
  std::function<bool(const std::string&)> filter;
  SkippedLinks* skipped = nullptr;

  // The next file below the folder, depth first in sorted order; a subfolder that
  // cannot be listed is skipped, as `find` would after its message.
  std::optional<std::string> next() {
    while (!levels.empty()) {
      Level& level = levels.back();
      if (level.next == level.entries.size()) {
        levels.pop_back();
        continue;
      }
      FolderEntry entry = std::move(level.entries[level.next++]);
      if (entry.linked_folder) {
        if (skipped->count++ == 0) skipped->first = entry.path.string();
        continue;
      }
      if (entry.folder) {
        std::error_code error;
        std::vector<FolderEntry> inner = list_folder(entry.path, error);
        if (!error) levels.push_back({std::move(inner), 0});
        continue;
      }
      std::string path = entry.path.string();
      if (!filter || filter(path)) return path;
    }
    return std::nullopt;
  }
};

struct PathSource::ListReader {
  std::istream* in = nullptr;
  std::string name;  // "stdin" or the file, for messages
  uint64_t entry = 0;

  std::optional<std::string> next(char separator) {
    std::string line;
    while (std::getline(*in, line, separator)) {
      ++entry;
      if (separator == '\n' && !line.empty() && line.back() == '\r') line.pop_back();
      if (separator == '\n' && line.find('\0') != std::string::npos) {
        throw Error(ErrorKind::Usage, fmt::format("{}, entry {}: a path holds a NUL byte; for NUL-separated paths "
                                                  "(find -print0, fd -0) give -0 (--null)", name, entry));
      }
      if (!line.empty()) return line;
    }
    return std::nullopt;
  }
};

bool PathSourceOptions::rereadable() const {
  return files_from.empty() && std::find(arguments.begin(), arguments.end(), "-") == arguments.end();
}

PathSource::PathSource(PathSourceOptions options, std::istream& stdin_list)
    : options_(std::move(options)), stdin_list_(stdin_list) {
  size_t stdin_uses = static_cast<size_t>(std::count(options_.arguments.begin(), options_.arguments.end(), "-")) +
                      (options_.files_from == "-" ? 1 : 0);
  if (stdin_uses > 1) throw Error(ErrorKind::Usage, "stdin can be read only once: give - or --files-from - once");
  // Opened now, so a list that cannot be read stops the run before anything is written.
  if (!options_.files_from.empty() && options_.files_from != "-") {
    files_from_file_ = std::make_unique<std::ifstream>(options_.files_from, std::ios::binary);
    if (!*files_from_file_ || fs::is_directory(options_.files_from)) {
      throw Error(ErrorKind::Io, fmt::format("--files-from {}: cannot open it as a list of paths", options_.files_from));
    }
  }
}

PathSource::~PathSource() = default;

bool PathSource::open_next_list() {
  auto reader = std::make_unique<ListReader>();
  if (next_argument_ < options_.arguments.size()) {
    if (options_.arguments[next_argument_] != "-") return false;
    ++next_argument_;
    reader->in = &stdin_list_;
    reader->name = "stdin";
  } else if (!options_.files_from.empty() && !files_from_opened_) {
    files_from_opened_ = true;
    reader->in = files_from_file_ ? files_from_file_.get() : &stdin_list_;
    reader->name = files_from_file_ ? options_.files_from : "stdin";
  } else {
    return false;
  }
  list_ = std::move(reader);
  return true;
}

// A file as itself, a folder as the start of a walk (its first file, if any).
std::optional<PathItem> PathSource::expand(const std::string& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (fs::is_directory(status)) {
    std::vector<FolderEntry> entries = list_folder(path, error);
    if (error) return PathItem{path, "cannot list folder: " + error.message()};
    walk_ = std::make_unique<FolderWalk>();
    walk_->filter = options_.folder_filter;
    walk_->skipped = &skipped_links_;
    walk_->levels.push_back({std::move(entries), 0});
    return std::nullopt;
  }
  if (options_.report_missing && !fs::exists(status)) return PathItem{path, "no such file or folder"};
  // A FIFO or device would block or never end in a reader or the photo decoder.
  if (fs::exists(status) && !fs::is_regular_file(status)) return PathItem{path, unreadable_special_file(path)};
  return PathItem{path, ""};
}

std::optional<PathItem> PathSource::next_candidate() {
  for (;;) {
    if (walk_) {
      if (std::optional<std::string> path = walk_->next()) return PathItem{std::move(*path), ""};
      walk_.reset();
    }
    std::optional<std::string> path;
    if (list_) {
      path = list_->next(options_.separator);
      if (!path) list_.reset();
    } else if (open_next_list()) {
      continue;
    } else if (next_argument_ < options_.arguments.size()) {
      path = options_.arguments[next_argument_++];
    } else {
      return std::nullopt;
    }
    if (!path) continue;
    if (std::optional<PathItem> item = expand(*path)) return item;
  }
}

namespace {

// Only paths with the output's file name are compared, so other paths cost no stat.
bool is_same_file(const std::string& path, const std::string& output) {
  if (output.empty() || fs::path(path).filename() != fs::path(output).filename()) return false;
  std::error_code error;
  return fs::equivalent(path, output, error);
}

}  // namespace

std::optional<PathItem> PathSource::next() {
  while (std::optional<PathItem> item = next_candidate()) {
    if (is_same_file(item->path, options_.own_output)) continue;
    if (options_.shard && !options_.shard->holds(item->path)) continue;
    if (options_.recorded != nullptr && options_.recorded->contains(item->path)) {
      ++skipped_recorded_;
      continue;
    }
    return item;
  }
  return std::nullopt;
}

}  // namespace mtool
