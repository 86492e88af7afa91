#pragma once
// Opening and mapping a file happens here and nowhere else, so that parsers
// take bytes and tests and fuzzers can hand them bytes directly.
#include <string>

#include "io/byte_reader.h"

namespace mtool {

class MappedFile {
 public:
  // Maps `path` read-only. Throws Error(Io) for a missing file, a directory,
  // a FIFO, device or /proc file (without blocking), or a file that cannot be read.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  Bytes bytes() const { return {static_cast<const char*>(data_), size_}; }
  uint64_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

bool is_directory(const std::string& path);

// What a file of this st_mode is when it is not regular ("is a named pipe
// (FIFO)", "is a character device"), or "" for a regular file.
std::string special_file_reason(unsigned mode);
// The sentence MappedFile throws for a non-regular input.
std::string unreadable_special_file(unsigned mode);
// That sentence for the file at `path` (symlinks followed); "" when it is
// regular or absent.
std::string unreadable_special_file(const std::string& path);

}  // namespace mtool
