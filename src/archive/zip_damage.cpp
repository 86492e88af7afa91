#include "archive/zip_damage.h"

#include <cstring>
#include <fmt/format.h>

namespace mtool {

namespace {
constexpr std::string_view kLocalHeader{"PK\x03\x04", 4};
constexpr uint64_t kLocalHeaderSize = 30;
}  // namespace

std::string explain_missing_central_directory(Bytes file) {
  if (!starts_with(file, kLocalHeader)) {
    return fmt::format("central directory not found in {} bytes, and no zip record at the start", file.size());
  }
  // PyTorch writes sizes after the data (flag bit 3), so records are found by
  // their signatures rather than by the sizes in their headers.
  size_t records = 0;
  std::string last_name;
  uint64_t last_offset = 0;
  uint64_t offset = 0;
  while (offset != Bytes::npos && offset + kLocalHeaderSize <= file.size()) {
    uint64_t name_length = u16le_at(file, offset + 26);
    if (offset + kLocalHeaderSize + name_length > file.size()) break;
    last_name = std::string(file.substr(offset + kLocalHeaderSize, name_length));
    last_offset = offset;
    ++records;
    offset = file.find(kLocalHeader, offset + kLocalHeaderSize + name_length);
  }
  if (records == 0) {
    return fmt::format("central directory not found: the file ends at byte {} inside the first record's header",
                       file.size());
  }
  return fmt::format(
      "central directory not found: the file ends at byte {}, inside record {} ('{}', which starts at byte {}); "
      "the rest of the archive is missing (a truncated download or copy)",
      file.size(), records, last_name, last_offset);
}

}  // namespace mtool
