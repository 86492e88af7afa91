#include "io/byte_reader.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace mtool {

uint64_t checked_add(uint64_t a, uint64_t b, const char* what) {
  uint64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) throw FormatError(fmt::format("{} overflows 64 bits", what));
  return result;
}

uint64_t checked_mul(uint64_t a, uint64_t b, const char* what) {
  uint64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) throw FormatError(fmt::format("{} overflows 64 bits", what));
  return result;
}

Bytes sub_range(Bytes bytes, uint64_t offset, uint64_t length, const char* what) {
  if (offset > bytes.size() || length > bytes.size() - offset) {
    throw FormatError(fmt::format("{} (bytes {}..{}) lies outside the {} bytes available", what, offset,
                                  offset + length, bytes.size()));
  }
  return bytes.substr(offset, length);
}

void ByteReader::fail_short(uint64_t wanted, const char* what) const {
  throw FormatError(fmt::format("offset {}: {} needs {} bytes but only {} remain", file_offset(), what, wanted,
                                remaining()));
}

void ByteReader::skip(uint64_t count) { take(count, "skipped data"); }

char ByteReader::peek() const {
  if (at_end()) fail_short(1, "byte");
  return bytes_[position_];
}

Bytes ByteReader::take(uint64_t count, const char* what) {
  if (count > remaining()) fail_short(count, what);
  Bytes result = bytes_.substr(position_, count);
  position_ += count;
  return result;
}

Bytes ByteReader::line(const char* what) {
  size_t end = bytes_.find('\n', position_);
  if (end == Bytes::npos) {
    throw FormatError(fmt::format("offset {}: {} has no terminating newline", file_offset(), what));
  }
  Bytes result = bytes_.substr(position_, end - position_);
  position_ = end + 1;
  return result;
}

uint8_t ByteReader::u8() { return static_cast<uint8_t>(take(1, "byte")[0]); }

namespace {
uint64_t little_endian(Bytes bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}
}  // namespace

uint16_t ByteReader::u16le() { return static_cast<uint16_t>(little_endian(take(2, "16-bit integer"))); }
uint32_t ByteReader::u32le() { return static_cast<uint32_t>(little_endian(take(4, "32-bit integer"))); }
uint64_t ByteReader::u64le() { return little_endian(take(8, "64-bit integer")); }

double ByteReader::f64be() {
  Bytes raw = take(8, "float");
  uint64_t bits = 0;
  for (char c : raw) bits = (bits << 8) | static_cast<uint8_t>(c);
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

uint16_t u16le_at(Bytes bytes, uint64_t offset) {
  return static_cast<uint16_t>(little_endian(sub_range(bytes, offset, 2, "16-bit integer")));
}
uint32_t u32le_at(Bytes bytes, uint64_t offset) {
  return static_cast<uint32_t>(little_endian(sub_range(bytes, offset, 4, "32-bit integer")));
}
uint64_t u64le_at(Bytes bytes, uint64_t offset) { return little_endian(sub_range(bytes, offset, 8, "64-bit integer")); }

bool starts_with(Bytes bytes, std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; }

uint64_t find_last(Bytes bytes, std::string_view needle, uint64_t first, uint64_t last) {
  if (needle.empty() || needle.size() > bytes.size()) return Bytes::npos;
  last = std::min<uint64_t>(last, bytes.size() - needle.size());
  uint64_t end = last + 1;  // candidates lie in [first, end)
  while (end > first) {
    const void* hit = memrchr(bytes.data() + first, needle.front(), end - first);
    if (hit == nullptr) break;
    uint64_t offset = static_cast<const char*>(hit) - bytes.data();
    if (bytes.substr(offset, needle.size()) == needle) return offset;
    end = offset;
  }
  return Bytes::npos;
}

std::string hex_preview(Bytes bytes, size_t count) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < count; ++i) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{:02x}", static_cast<uint8_t>(bytes[i]));
  }
  return out;
}

}  // namespace mtool
