#pragma once
// The one bounds-checked reader under every parser of untrusted bytes.
// Parsers never index raw pointers: they read fixed-size integers, take checked
// sub-ranges, and shrink views. Every size that comes from a file is checked
// against the bytes that remain before it is used.
#include <cstdint>
#include <string>
#include <string_view>

#include "io/error.h"

namespace mtool {

using Bytes = std::string_view;

// a + b and a * b, or a FormatError naming `what` when they overflow 64 bits.
uint64_t checked_add(uint64_t a, uint64_t b, const char* what);
uint64_t checked_mul(uint64_t a, uint64_t b, const char* what);

// bytes[offset, offset + length), or a FormatError naming `what`.
Bytes sub_range(Bytes bytes, uint64_t offset, uint64_t length, const char* what);

class ByteReader {
 public:
  explicit ByteReader(Bytes bytes, uint64_t base_offset = 0)
      : bytes_(bytes), base_offset_(base_offset) {}

  uint64_t position() const { return position_; }
  // Position in the enclosing file, for messages.
  uint64_t file_offset() const { return base_offset_ + position_; }
  uint64_t remaining() const { return bytes_.size() - position_; }
  bool at_end() const { return position_ == bytes_.size(); }

  void skip(uint64_t count);

  // The next byte, not consumed; a FormatError at the end.
  char peek() const;
  // Every byte not read yet, not consumed (for previews in messages).
  Bytes rest() const { return bytes_.substr(position_); }

  uint8_t u8();
  uint16_t u16le();
  uint32_t u32le();
  uint64_t u64le();
  int32_t i32le() { return static_cast<int32_t>(u32le()); }
  double f64be();  // pickle's BINFLOAT is big-endian

  // The next `count` bytes; `what` names them in the error if they are not there.
  Bytes take(uint64_t count, const char* what = "data");
  // Up to and excluding the next '\n', which is consumed.
  Bytes line(const char* what = "line");

 private:
  [[noreturn]] void fail_short(uint64_t wanted, const char* what) const;

  Bytes bytes_;
  uint64_t base_offset_ = 0;
  uint64_t position_ = 0;
};

// Little-endian integer at a fixed offset, checked.
uint16_t u16le_at(Bytes bytes, uint64_t offset);
uint32_t u32le_at(Bytes bytes, uint64_t offset);
uint64_t u64le_at(Bytes bytes, uint64_t offset);

bool starts_with(Bytes bytes, std::string_view prefix);
// The largest offset in [first, last] at which `needle` occurs whole inside
// `bytes`, or Bytes::npos. Searches with memrchr: readers of damaged zips look
// for a signature backwards over 64 KiB, several times per file.
uint64_t find_last(Bytes bytes, std::string_view needle, uint64_t first, uint64_t last);
// "3f 8a 00 ..." for messages about unrecognised content.
std::string hex_preview(Bytes bytes, size_t count = 8);

}  // namespace mtool
