#include "archive/zip_damage.h"

#include <cstring>
#include <fmt/format.h>

#include "archive/zip_format.h"

namespace mtool {

using zip::kLocalHeaderSize;

std::string explain_missing_central_directory(Bytes file) {
  if (!starts_with(file, zip::kLocalHeaderBytes)) {
    return fmt::format("central directory not found in {} bytes, and no zip record at the start", file.size());
  }
  // PyTorch writes sizes after the data (flag bit 3), so records are found by
  // their signatures rather than by the sizes in their headers.
  size_t records = 0;
  std::string last_name;
  uint64_t last_offset = 0;
  uint64_t offset = 0;
  while (offset != Bytes::npos && offset + kLocalHeaderSize <= file.size()) {
    uint64_t name_length = u16le_at(file, offset + zip::kLocalNameLengthOffset);
    if (offset + kLocalHeaderSize + name_length > file.size()) break;
    last_name = std::string(file.substr(offset + kLocalHeaderSize, name_length));
    last_offset = offset;
    ++records;
    offset = file.find(zip::kLocalHeaderBytes, offset + kLocalHeaderSize + name_length);
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

std::vector<LocalRecord> find_local_records(Bytes file) {
  std::vector<LocalRecord> records;
  uint64_t offset = starts_with(file, zip::kLocalHeaderBytes) ? 0 : file.find(zip::kLocalHeaderBytes);
  while (offset != Bytes::npos && offset + kLocalHeaderSize <= file.size()) {
    uint64_t name_length = u16le_at(file, offset + zip::kLocalNameLengthOffset);
    uint64_t extra_length = u16le_at(file, offset + zip::kLocalExtraLengthOffset);
    uint64_t data = offset + kLocalHeaderSize + name_length + extra_length;
    if (data > file.size()) break;
    LocalRecord record;
    record.offset = offset;
    record.name = std::string(file.substr(offset + kLocalHeaderSize, name_length));
    record.flags = u16le_at(file, offset + 6);
    record.method = u16le_at(file, offset + 8);
    offset = file.find(zip::kLocalHeaderBytes, data);
    record.data_to_next = file.substr(data, offset == Bytes::npos ? Bytes::npos : offset - data);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace mtool
