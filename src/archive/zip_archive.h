#pragma once
// A zip reader for PyTorch archives: central directory (with zip64), stored and
// deflated records. It trusts nothing: every offset and size in the directory is
// checked against the file before use, records may not overlap, and inflating
// stops at the size the record declares.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/byte_reader.h"

namespace mtool {

// The largest pickle record mtool reads from an archive (data.pkl,
// constants.pkl, bytecode.pkl); a larger one is reported, not read.
constexpr uint64_t kMaxPickleRecordBytes = 512ull << 20;

struct ZipEntry {
  std::string name;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint32_t crc32 = 0;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint16_t flags = 0;

  bool encrypted() const { return (flags & 0x1) != 0; }
  bool is_directory() const { return !name.empty() && name.back() == '/'; }
};

class ZipArchive {
 public:
  // Reads the central directory. Throws FormatError when it is missing or
  // inconsistent; explain_zip_damage() then says what the file lacks.
  explicit ZipArchive(Bytes file);
  // The name index points into entries_: copies would dangle.
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;

  // The record's bytes as stored (compressed or not), located via its local header.
  Bytes stored_bytes(const ZipEntry& entry) const;
  // The name its local header gives, which may differ from the central one.
  std::string local_name(const ZipEntry& entry) const;
  // The record's content, inflated and CRC-checked. Refuses records larger than
  // `max_size`, so callers choose what "small" means.
  // `verify_crc` false is for scanners, which must read a record whose CRC was
  // damaged on purpose.
  std::string read(const ZipEntry& entry, uint64_t max_size, bool verify_crc = true) const;

 private:
  void read_central_directory(uint64_t offset, uint64_t size, uint64_t count);
  void check_layout() const;

  Bytes file_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string_view, size_t> index_;  // name -> entries_ position (first wins)
  uint64_t central_directory_offset_ = 0;
};

// CRC-32 of `content` equals `crc` (as the zip format computes it).
bool crc_matches(std::string_view content, uint32_t crc);

// Zip signatures at the start of the file: a local header or an empty archive.
bool looks_like_zip(Bytes file);

}  // namespace mtool
