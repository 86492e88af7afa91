#include "archive/zip_damage.h"

#include <cstring>
#include <fmt/format.h>
#include <zlib.h>

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

std::vector<LocalRecord> find_local_records(Bytes file) {
  std::vector<LocalRecord> records;
  uint64_t offset = starts_with(file, kLocalHeader) ? 0 : file.find(kLocalHeader);
  while (offset != Bytes::npos && offset + kLocalHeaderSize <= file.size()) {
    uint64_t name_length = u16le_at(file, offset + 26);
    uint64_t extra_length = u16le_at(file, offset + 28);
    uint64_t data = offset + kLocalHeaderSize + name_length + extra_length;
    if (data > file.size()) break;
    LocalRecord record;
    record.name = std::string(file.substr(offset + kLocalHeaderSize, name_length));
    record.flags = u16le_at(file, offset + 6);
    record.method = u16le_at(file, offset + 8);
    offset = file.find(kLocalHeader, data);
    record.data_to_next = file.substr(data, offset == Bytes::npos ? Bytes::npos : offset - data);
    records.push_back(std::move(record));
  }
  return records;
}

std::string inflate_until_end(Bytes compressed, uint64_t max_size) {
  std::string output;
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw FormatError("cannot initialise zlib");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(std::min<uint64_t>(compressed.size(), UINT32_MAX));
  char buffer[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    output.append(buffer, sizeof buffer - stream.avail_out);
    if (output.size() > max_size) status = Z_BUF_ERROR;
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw FormatError("deflate data is damaged, cut short or too large");
  return output;
}

}  // namespace mtool
