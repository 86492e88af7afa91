#pragma once
// A bounds-checked reader of flatbuffers (lite flatbuffer, ExecuTorch, TFLite):
// tables through their vtables, vectors, strings, unions and nested buffers.
// Every offset and length is checked against the buffer before it is used;
// nesting depth and the number of objects a file may make us visit are capped,
// so neither a deep chain of tables nor a vector of a million offsets to the
// same large table can make a reader run away. Field ids are the flatbuffers
// schema's: the n-th declared field is id n, and a union takes two ids (its
// type, then its value).
#include <cstdint>
#include <optional>
#include <string_view>

#include "io/byte_reader.h"

namespace mtool {

// Shared by every table and vector read from one buffer: the bytes, and how
// many more objects the readers may still visit.
struct FlatBuffer {
  explicit FlatBuffer(Bytes buffer, uint64_t object_budget = kDefaultObjectBudget)
      : bytes(buffer), objects_left(object_budget) {}
  static constexpr uint64_t kDefaultObjectBudget = 20'000'000;
  static constexpr unsigned kMaxDepth = 64;

  Bytes bytes;
  uint64_t objects_left;
};

// The 4-character file identifier at bytes 4..8, or "" when the buffer is too short.
std::string_view flatbuffer_identifier(Bytes bytes);

class FlatVector;

class FlatTable {
 public:
  // The root table of `buffer`: its first four bytes are the offset to it.
  static FlatTable root(FlatBuffer& buffer);

  bool has(unsigned field) const { return field_position(field) != 0; }

  uint8_t u8(unsigned field, uint8_t fallback = 0) const;
  int8_t i8(unsigned field, int8_t fallback = 0) const { return static_cast<int8_t>(u8(field, static_cast<uint8_t>(fallback))); }
  bool boolean(unsigned field, bool fallback = false) const { return u8(field, fallback ? 1 : 0) != 0; }
  uint16_t u16(unsigned field, uint16_t fallback = 0) const;
  uint32_t u32(unsigned field, uint32_t fallback = 0) const;
  int32_t i32(unsigned field, int32_t fallback = 0) const { return static_cast<int32_t>(u32(field, static_cast<uint32_t>(fallback))); }
  uint64_t u64(unsigned field, uint64_t fallback = 0) const;
  int64_t i64(unsigned field, int64_t fallback = 0) const { return static_cast<int64_t>(u64(field, static_cast<uint64_t>(fallback))); }

  // Absent fields give nullopt (strings, tables) or an empty vector.
  std::optional<std::string_view> string(unsigned field) const;
  std::optional<FlatTable> table(unsigned field) const;
  FlatVector vector(unsigned field, uint64_t element_size) const;
  // A union's value: `field` is the union's type id; the value is at field + 1.
  uint8_t union_type(unsigned field) const { return u8(field); }
  std::optional<FlatTable> union_table(unsigned field) const { return table(field + 1); }
  // A union's value that is a struct of `size` bytes: stored by offset like a table, but without a vtable.
  std::optional<Bytes> union_struct(unsigned field, uint64_t size) const;

  // Where the table starts in the buffer, for messages.
  uint64_t offset() const { return table_; }

 private:
  friend class FlatVector;
  FlatTable(FlatBuffer& buffer, uint64_t table, unsigned depth);
  // The table-relative position of a field's value, or 0 when it is absent.
  uint16_t field_position(unsigned field) const;
  // The absolute position of a field's value of `size` bytes, checked, or 0.
  uint64_t field_at(unsigned field, uint64_t size) const;

  FlatBuffer* buffer_;
  uint64_t table_ = 0;
  uint64_t vtable_ = 0;
  uint16_t vtable_size_ = 0;
  uint16_t table_size_ = 0;
  unsigned depth_ = 0;
};

// A vector of scalars, strings or tables; indices are checked.
class FlatVector {
 public:
  FlatVector() = default;

  uint64_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The elements' bytes (for [ubyte] payloads: their size, or the data itself).
  Bytes bytes() const;

  uint8_t u8(uint64_t index) const;
  int32_t i32(uint64_t index) const;
  uint32_t u32(uint64_t index) const { return static_cast<uint32_t>(i32(index)); }
  int64_t i64(uint64_t index) const;
  uint64_t u64(uint64_t index) const { return static_cast<uint64_t>(i64(index)); }
  float f32(uint64_t index) const;
  std::string_view string(uint64_t index) const;
  FlatTable table(uint64_t index) const;

 private:
  friend class FlatTable;
  FlatVector(FlatBuffer& buffer, uint64_t elements, uint64_t count, uint64_t element_size, unsigned depth);
  uint64_t element_at(uint64_t index, uint64_t size) const;

  FlatBuffer* buffer_ = nullptr;
  uint64_t elements_ = 0;
  uint64_t count_ = 0;
  uint64_t element_size_ = 0;
  unsigned depth_ = 0;
};

}  // namespace mtool
