#pragma once
// The bounds-checked protobuf reader under every protobuf format mtool reads
// (ONNX, Core ML). It walks one message's fields without copying: every length
// is checked against the bytes that remain, varints that overflow 64 bits are
// refused, and nesting deeper than kMaxProtoDepth is refused, so a hostile
// file can neither read past its end nor exhaust the stack.
#include <cstdint>
#include <string>
#include <string_view>

#include "io/byte_reader.h"

namespace mtool {

// Deep enough for real models (an ONNX Loop inside an If inside a graph is
// about 12 levels; Core ML pipelines of pipelines a few more), small enough
// that recursion over it cannot overflow the stack.
constexpr int kMaxProtoDepth = 64;

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

struct ProtoField {
  uint32_t number = 0;
  uint8_t wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;    // varint fields; the raw bits of fixed32 / fixed64 fields
  Bytes payload;          // length-delimited fields
  uint64_t file_offset = 0;  // where the payload starts in the whole file, for messages

  bool is(uint32_t field_number, WireType type) const {
    return number == field_number && wire_type == static_cast<uint8_t>(type);
  }
  bool is_message(uint32_t field_number) const { return is(field_number, WireType::LengthDelimited); }
  std::string text() const { return std::string(payload); }
  float fixed32_float() const;
};

// One varint, or a FormatError when it runs past the bytes or past 64 bits.
uint64_t read_proto_varint(ByteReader& reader);

// The fields of one message, in order: `while (reader.next(field)) ...`.
class ProtoReader {
 public:
  explicit ProtoReader(Bytes message, uint64_t file_offset = 0, int depth = 0);
  // The message held by a length-delimited field, one level deeper; a
  // FormatError past kMaxProtoDepth or when the field is not length-delimited.
  ProtoReader nested(const ProtoField& field) const;
  int depth() const { return depth_; }

  // The next field, or false at the end of the message.
  bool next(ProtoField& field);

 private:
  ByteReader reader_;  // knows the message's offset in the file, for error messages
  int depth_;
};

// A repeated scalar field may arrive packed (one length-delimited field) or
// unpacked (one field per value); these visit both forms.
// Varint values of a packed or unpacked repeated field.
template <typename Visit>
void for_each_varint(const ProtoField& field, Visit visit) {
  if (field.wire_type == static_cast<uint8_t>(WireType::Varint)) {
    visit(field.varint);
    return;
  }
  if (field.wire_type != static_cast<uint8_t>(WireType::LengthDelimited)) return;
  ByteReader reader(field.payload, field.file_offset);
  while (!reader.at_end()) visit(read_proto_varint(reader));
}
// How many fixed-size values (4 or 8 bytes) a packed or unpacked repeated
// field holds; a FormatError when a packed payload is not a whole number.
uint64_t fixed_value_count(const ProtoField& field, unsigned value_size);

}  // namespace mtool
