#pragma once
// Opening and mapping a file happens here and nowhere else, so that parsers
// take bytes and tests and fuzzers can hand them bytes directly.
#include <string>

#include "io/byte_reader.h"

namespace mtool {

class MappedFile {
 public:
  // Maps `path` read-only. Throws Error(Io) for a missing file, a directory,
  // or a file that cannot be read.
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

}  // namespace mtool
