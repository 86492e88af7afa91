#pragma once
// A folder's files wherever they are: on disk, or the records below one
// folder of a zip (an .mlpackage inside an .ipa, a .pte beside its .ptd in an
// .apk). Readers of folder-shaped models and of files beside a model take a
// FileFolder, so the same code reads both, a zip's members through the
// bounds-checked zip reader and never extracted to disk.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/zip_archive.h"
#include "io/byte_reader.h"
#include "io/mapped_file.h"

namespace mtool {

struct FolderFile {
  std::string path;  // relative to the folder, '/'-separated
  uint64_t size = 0;
};

// One file's bytes: mapped from disk, in place in a zip, or inflated.
class FileContent {
 public:
  explicit FileContent(std::unique_ptr<MappedFile> mapped) : mapped_(std::move(mapped)), bytes_(mapped_->bytes()) {}
  explicit FileContent(Bytes in_place) : bytes_(in_place) {}
  explicit FileContent(std::string owned) : owned_(std::make_unique<std::string>(std::move(owned))), bytes_(*owned_) {}
  Bytes bytes() const { return bytes_; }

 private:
  std::unique_ptr<MappedFile> mapped_;
  std::unique_ptr<std::string> owned_;
  Bytes bytes_;
};

class FileFolder {
 public:
  virtual ~FileFolder() = default;
  // The folder's own name ("Model.mlpackage"), "" for a zip's root.
  virtual std::string name() const = 0;
  // The size of the regular file at `relative`, or nothing when there is none.
  virtual std::optional<uint64_t> file_size(const std::string& relative) const = 0;
  // Throws Error(Io) or FormatError when it cannot be read.
  virtual FileContent read(const std::string& relative) const = 0;
  // Its files, below it at any depth or only its own, at most `limit`, sorted by path.
  virtual std::vector<FolderFile> files(size_t limit, bool recursive) const = 0;
};

class DiskFolder : public FileFolder {
 public:
  explicit DiskFolder(std::string path) : path_(std::move(path)) {}
  std::string name() const override;
  std::optional<uint64_t> file_size(const std::string& relative) const override;
  FileContent read(const std::string& relative) const override;
  std::vector<FolderFile> files(size_t limit, bool recursive) const override;

 private:
  std::string path_;
};

// The records of `zip` below `prefix` ("Payload/X.app/Model.mlmodelc/", or ""
// for the whole zip). Deflated records are inflated up to `max_inflated` bytes.
class ZipFolder : public FileFolder {
 public:
  ZipFolder(const ZipArchive& zip, std::string prefix, uint64_t max_inflated)
      : zip_(zip), prefix_(std::move(prefix)), max_inflated_(max_inflated) {}
  std::string name() const override;
  std::optional<uint64_t> file_size(const std::string& relative) const override;
  FileContent read(const std::string& relative) const override;
  std::vector<FolderFile> files(size_t limit, bool recursive) const override;

 private:
  const ZipEntry* file_entry(const std::string& relative) const;

  const ZipArchive& zip_;
  std::string prefix_;
  uint64_t max_inflated_;
};

// "a/b/c" -> "a/b"; "c" -> "".
std::string parent_folder(const std::string& relative);
// Joins '/'-separated relative paths; either may be empty.
std::string join_path(const std::string& folder, const std::string& name);

}  // namespace mtool
