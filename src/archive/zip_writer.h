#pragma once
// Writes zip archives as PyTorch reads them: records in order, stored ones
// aligned to 64 bytes (as PyTorch's own writer pads them, so tensors can be
// read in place), deflated ones for text, zip64 when sizes need it.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "io/byte_reader.h"

namespace mtool {

class ZipWriter {
 public:
  // Writes to `out`, which must stay open until finish().
  explicit ZipWriter(std::FILE* out) : out_(out) {}

  void add_stored(const std::string& name, Bytes data);
  void add_deflated(const std::string& name, Bytes data);
  // Writes the central directory. Throws Error(Io) on a failed write.
  void finish();

 private:
  struct Written {
    std::string name;
    uint64_t offset = 0;
    uint64_t compressed_size = 0;
    uint64_t size = 0;
    uint32_t crc = 0;
    uint16_t method = 0;
  };
  void add(const std::string& name, Bytes data, Bytes stored, uint16_t method);
  void write(const std::string& bytes);

  std::FILE* out_;
  uint64_t offset_ = 0;
  std::vector<Written> written_;
};

}  // namespace mtool
