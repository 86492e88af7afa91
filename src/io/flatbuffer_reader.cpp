#include "io/flatbuffer_reader.h"

#include <cstring>
#include <fmt/format.h>

namespace mtool {

namespace {

void spend(FlatBuffer& buffer) {
  if (buffer.objects_left == 0) {
    throw FormatError("flatbuffer: more objects than any real model has (offsets reused over and over)");
  }
  --buffer.objects_left;
}

// The target of the uoffset stored at absolute position `at`. uoffsets are
// unsigned and point forward, so no chain of them can loop.
uint64_t follow(const FlatBuffer& buffer, uint64_t at, const char* what) {
  uint64_t target = checked_add(at, u32le_at(buffer.bytes, at), what);
  if (target >= buffer.bytes.size()) {
    throw FormatError(fmt::format("flatbuffer: {} at offset {} points past the end ({} > {})", what, at, target,
                                  buffer.bytes.size()));
  }
  return target;
}

// A vector's or string's length prefix at `at`, checked against the bytes after it.
uint64_t counted_length(const FlatBuffer& buffer, uint64_t at, uint64_t element_size, const char* what) {
  uint64_t count = u32le_at(buffer.bytes, at);
  uint64_t bytes = checked_mul(count, element_size, what);
  if (bytes > buffer.bytes.size() - at - 4) {
    throw FormatError(fmt::format("flatbuffer: {} at offset {} claims {} elements of {} bytes, past the end", what,
                                  at, count, element_size));
  }
  return count;
}

std::string_view string_at(FlatBuffer& buffer, uint64_t at) {
  spend(buffer);
  uint64_t length = counted_length(buffer, at, 1, "string");
  return buffer.bytes.substr(at + 4, length);
}

}  // namespace

std::string_view flatbuffer_identifier(Bytes bytes) { return bytes.size() < 8 ? Bytes() : bytes.substr(4, 4); }

FlatTable FlatTable::root(FlatBuffer& buffer) {
  return FlatTable(buffer, follow(buffer, 0, "root table offset"), 0);
}

FlatTable::FlatTable(FlatBuffer& buffer, uint64_t table, unsigned depth)
    : buffer_(&buffer), table_(table), depth_(depth) {
  if (depth > FlatBuffer::kMaxDepth) throw FormatError("flatbuffer: tables nested deeper than any schema");
  spend(buffer);
  Bytes bytes = buffer.bytes;
  auto distance = static_cast<int32_t>(u32le_at(bytes, table));
  int64_t vtable = static_cast<int64_t>(table) - distance;
  if (vtable < 0 || static_cast<uint64_t>(vtable) + 4 > bytes.size()) {
    throw FormatError(fmt::format("flatbuffer: table at offset {} has its vtable outside the buffer", table));
  }
  vtable_ = static_cast<uint64_t>(vtable);
  vtable_size_ = u16le_at(bytes, vtable_);
  table_size_ = u16le_at(bytes, vtable_ + 2);
  if (vtable_size_ < 4 || vtable_size_ % 2 != 0 || vtable_ + vtable_size_ > bytes.size()) {
    throw FormatError(fmt::format("flatbuffer: table at offset {} has a bad vtable (size {})", table, vtable_size_));
  }
  if (table_size_ < 4 || table + table_size_ > bytes.size()) {
    throw FormatError(fmt::format("flatbuffer: table at offset {} runs past the end ({} bytes)", table, table_size_));
  }
}

uint16_t FlatTable::field_position(unsigned field) const {
  uint64_t entry = 4 + 2 * uint64_t{field};
  if (entry + 2 > vtable_size_) return 0;
  return u16le_at(buffer_->bytes, vtable_ + entry);
}

uint64_t FlatTable::field_at(unsigned field, uint64_t size) const {
  uint16_t position = field_position(field);
  if (position == 0) return 0;
  // Like flatbuffers' own Verifier, a field must lie in the buffer, not within
  // the table's recorded size: some writers (ExecuTorch's among them) record a
  // size that ends before a table's last 8-byte field.
  if (position < 4 || table_ + position + size > buffer_->bytes.size()) {
    throw FormatError(fmt::format("flatbuffer: field {} of the table at offset {} lies outside the buffer", field,
                                  table_));
  }
  return table_ + position;
}

uint8_t FlatTable::u8(unsigned field, uint8_t fallback) const {
  uint64_t at = field_at(field, 1);
  return at == 0 ? fallback : static_cast<uint8_t>(buffer_->bytes[at]);
}

uint16_t FlatTable::u16(unsigned field, uint16_t fallback) const {
  uint64_t at = field_at(field, 2);
  return at == 0 ? fallback : u16le_at(buffer_->bytes, at);
}

uint32_t FlatTable::u32(unsigned field, uint32_t fallback) const {
  uint64_t at = field_at(field, 4);
  return at == 0 ? fallback : u32le_at(buffer_->bytes, at);
}

uint64_t FlatTable::u64(unsigned field, uint64_t fallback) const {
  uint64_t at = field_at(field, 8);
  return at == 0 ? fallback : u64le_at(buffer_->bytes, at);
}

std::optional<std::string_view> FlatTable::string(unsigned field) const {
  uint64_t at = field_at(field, 4);
  if (at == 0) return std::nullopt;
  return string_at(*buffer_, follow(*buffer_, at, "string offset"));
}

std::optional<FlatTable> FlatTable::table(unsigned field) const {
  uint64_t at = field_at(field, 4);
  if (at == 0) return std::nullopt;
  return FlatTable(*buffer_, follow(*buffer_, at, "table offset"), depth_ + 1);
}

std::optional<Bytes> FlatTable::union_struct(unsigned field, uint64_t size) const {
  uint64_t at = field_at(field + 1, 4);
  if (at == 0) return std::nullopt;
  return sub_range(buffer_->bytes, follow(*buffer_, at, "struct offset"), size, "union struct");
}

FlatVector FlatTable::vector(unsigned field, uint64_t element_size) const {
  uint64_t at = field_at(field, 4);
  if (at == 0) return FlatVector();
  uint64_t start = follow(*buffer_, at, "vector offset");
  uint64_t count = counted_length(*buffer_, start, element_size, "vector");
  return FlatVector(*buffer_, start + 4, count, element_size, depth_ + 1);
}

FlatVector::FlatVector(FlatBuffer& buffer, uint64_t elements, uint64_t count, uint64_t element_size, unsigned depth)
    : buffer_(&buffer), elements_(elements), count_(count), element_size_(element_size), depth_(depth) {
  spend(buffer);
}

Bytes FlatVector::bytes() const {
  if (buffer_ == nullptr) return {};
  return buffer_->bytes.substr(elements_, count_ * element_size_);
}

uint64_t FlatVector::element_at(uint64_t index, uint64_t size) const {
  if (index >= count_) {
    throw FormatError(fmt::format("flatbuffer: index {} past the end of a vector of {}", index, count_));
  }
  if (size > element_size_) throw FormatError("flatbuffer: vector element read wider than the element");
  spend(*buffer_);
  return elements_ + index * element_size_;
}

uint8_t FlatVector::u8(uint64_t index) const { return static_cast<uint8_t>(buffer_->bytes[element_at(index, 1)]); }
int32_t FlatVector::i32(uint64_t index) const {
  return static_cast<int32_t>(u32le_at(buffer_->bytes, element_at(index, 4)));
}
int64_t FlatVector::i64(uint64_t index) const {
  return static_cast<int64_t>(u64le_at(buffer_->bytes, element_at(index, 8)));
}

float FlatVector::f32(uint64_t index) const {
  uint32_t bits = u32le_at(buffer_->bytes, element_at(index, 4));
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string_view FlatVector::string(uint64_t index) const {
  return string_at(*buffer_, follow(*buffer_, element_at(index, 4), "string offset"));
}

FlatTable FlatVector::table(uint64_t index) const {
  return FlatTable(*buffer_, follow(*buffer_, element_at(index, 4), "table offset"), depth_);
}

}  // namespace mtool
