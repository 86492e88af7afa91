#include "io/protobuf_reader.h"

#include <bit>
#include <fmt/format.h>

namespace mtool {

float ProtoField::fixed32_float() const { return std::bit_cast<float>(static_cast<uint32_t>(varint)); }

uint64_t read_proto_varint(ByteReader& reader) {
  uint64_t start = reader.file_offset();
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t byte = reader.u8();
    // The tenth byte holds bit 63 only; anything more does not fit 64 bits.
    if (shift == 63 && byte > 1) break;
    value |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw FormatError(fmt::format("offset {}: protobuf varint longer than 64 bits", start));
}

ProtoReader::ProtoReader(Bytes message, uint64_t file_offset, int depth)
    : reader_(message, file_offset), depth_(depth) {
  if (depth > kMaxProtoDepth) {
    throw FormatError(fmt::format("offset {}: protobuf messages nested more than {} deep", file_offset, kMaxProtoDepth));
  }
}

ProtoReader ProtoReader::nested(const ProtoField& field) const {
  if (field.wire_type != static_cast<uint8_t>(WireType::LengthDelimited)) {
    throw FormatError(fmt::format("offset {}: protobuf field {} should be a message but has wire type {}",
                                  field.file_offset, field.number, field.wire_type));
  }
  return ProtoReader(field.payload, field.file_offset, depth_ + 1);
}

bool ProtoReader::next(ProtoField& field) {
  if (reader_.at_end()) return false;
  uint64_t key_offset = reader_.file_offset();
  uint64_t key = read_proto_varint(reader_);
  field = ProtoField{};
  if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
    throw FormatError(fmt::format("offset {}: protobuf field number {} is out of range", key_offset, key >> 3));
  }
  field.number = static_cast<uint32_t>(key >> 3);
  field.wire_type = static_cast<uint8_t>(key & 7);
  switch (static_cast<WireType>(field.wire_type)) {
    case WireType::Varint: field.varint = read_proto_varint(reader_); break;
    case WireType::Fixed64: field.varint = reader_.u64le(); break;
    case WireType::Fixed32: field.varint = reader_.u32le(); break;
    case WireType::LengthDelimited: {
      uint64_t length = read_proto_varint(reader_);
      field.file_offset = reader_.file_offset();
      field.payload = reader_.take(length, "protobuf field");
      break;
    }
    default:
      throw FormatError(fmt::format("offset {}: protobuf wire type {} is not used by models", key_offset,
                                    field.wire_type));
  }
  return true;
}

uint64_t fixed_value_count(const ProtoField& field, unsigned value_size) {
  bool fixed = field.wire_type == static_cast<uint8_t>(value_size == 4 ? WireType::Fixed32 : WireType::Fixed64);
  if (fixed) return 1;
  if (field.wire_type != static_cast<uint8_t>(WireType::LengthDelimited)) return 0;
  if (field.payload.size() % value_size != 0) {
    throw FormatError(fmt::format("offset {}: packed field {} of {} bytes is not a whole number of {}-byte values",
                                  field.file_offset, field.number, field.payload.size(), value_size));
  }
  return field.payload.size() / value_size;
}

}  // namespace mtool
