#include "archive/file_folder.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <system_error>

#include "io/error.h"

namespace fs = std::filesystem;

namespace mtool {

namespace {

void sort_by_path(std::vector<FolderFile>& files) {
  std::sort(files.begin(), files.end(), [](const FolderFile& a, const FolderFile& b) { return a.path < b.path; });
}

// Names from a model's own metadata may not climb out of its folder.
bool stays_inside(const std::string& relative) { return relative.find("..") == std::string::npos; }

}  // namespace

std::string parent_folder(const std::string& relative) {
  size_t slash = relative.rfind('/');
  return slash == std::string::npos ? "" : relative.substr(0, slash);
}

std::string join_path(const std::string& folder, const std::string& name) {
  if (folder.empty()) return name;
  if (name.empty()) return folder;
  return folder + "/" + name;
}

std::string DiskFolder::name() const {
  fs::path path(path_);
  return (path.filename().empty() ? path.parent_path().filename() : path.filename()).string();
}

std::optional<uint64_t> DiskFolder::file_size(const std::string& relative) const {
  if (!stays_inside(relative)) return std::nullopt;
  std::error_code error;
  fs::path path = fs::path(path_) / relative;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  uint64_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

FileContent DiskFolder::read(const std::string& relative) const {
  if (!stays_inside(relative)) throw Error(ErrorKind::Io, fmt::format("{}: outside the folder", relative));
  return FileContent(std::make_unique<MappedFile>((fs::path(path_) / relative).string()));
}

std::vector<FolderFile> DiskFolder::files(size_t limit, bool recursive) const {
  std::vector<FolderFile> files;
  std::error_code error;
  auto add = [&](const fs::directory_entry& entry) {
    std::error_code size_error;
    if (!entry.is_regular_file(size_error)) return;
    uint64_t size = entry.file_size(size_error);
    files.push_back({fs::relative(entry.path(), path_, size_error).generic_string(), size_error ? 0 : size});
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(path_, error), end; !error && it != end && files.size() < limit;
         it.increment(error)) {
      add(*it);
    }
  } else {
    for (fs::directory_iterator it(path_, error), end; !error && it != end && files.size() < limit;
         it.increment(error)) {
      add(*it);
    }
  }
  sort_by_path(files);
  return files;
}

std::string ZipFolder::name() const {
  std::string folder = prefix_.ends_with('/') ? prefix_.substr(0, prefix_.size() - 1) : prefix_;
  return folder.substr(folder.rfind('/') == std::string::npos ? 0 : folder.rfind('/') + 1);
}

const ZipEntry* ZipFolder::file_entry(const std::string& relative) const {
  if (!stays_inside(relative)) return nullptr;
  const ZipEntry* entry = zip_.find(prefix_ + relative);
  return entry && !entry->is_directory() ? entry : nullptr;
}

std::optional<uint64_t> ZipFolder::file_size(const std::string& relative) const {
  const ZipEntry* entry = file_entry(relative);
  if (!entry) return std::nullopt;
  return entry->uncompressed_size;
}

FileContent ZipFolder::read(const std::string& relative) const {
  const ZipEntry* entry = file_entry(relative);
  if (!entry) throw Error(ErrorKind::Io, fmt::format("{}: no such record", prefix_ + relative));
  if (entry->method == 0 && !entry->encrypted()) return FileContent(zip_.stored_bytes(*entry));
  return FileContent(zip_.read(*entry, max_inflated_));
}

std::vector<FolderFile> ZipFolder::files(size_t limit, bool recursive) const {
  std::vector<FolderFile> files;
  for (const ZipEntry& entry : zip_.entries()) {
    if (files.size() == limit) break;
    if (entry.is_directory() || !entry.name.starts_with(prefix_) || entry.name.size() == prefix_.size()) continue;
    std::string relative = entry.name.substr(prefix_.size());
    if (!recursive && relative.find('/') != std::string::npos) continue;
    files.push_back({relative, entry.uncompressed_size});
  }
  sort_by_path(files);
  return files;
}

}  // namespace mtool
