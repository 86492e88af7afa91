#include "io/wire_formats.h"

#include <fmt/format.h>

namespace mtool {

namespace {
uint64_t read_varint(ByteReader& reader) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t byte = reader.u8();
    value |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw FormatError(fmt::format("offset {}: protobuf varint longer than 10 bytes", reader.file_offset()));
}
}  // namespace

std::vector<ProtoField> read_proto_fields(Bytes bytes) {
  std::vector<ProtoField> fields;
  ByteReader reader(bytes);
  while (!reader.at_end()) {
    uint64_t key = read_varint(reader);
    ProtoField field;
    field.number = static_cast<uint32_t>(key >> 3);
    field.wire_type = static_cast<uint8_t>(key & 7);
    if (field.number == 0) throw FormatError("protobuf field number 0");
    switch (field.wire_type) {
      case 0: field.varint = read_varint(reader); break;
      case 1: reader.skip(8); break;
      case 2: field.payload = reader.take(read_varint(reader), "protobuf field"); break;
      case 5: reader.skip(4); break;
      default: throw FormatError(fmt::format("protobuf wire type {} is not used by models", field.wire_type));
    }
    fields.push_back(field);
  }
  return fields;
}

std::optional<uint32_t> flatbuffer_root_u32(Bytes file, unsigned field_index) {
  uint32_t table = u32le_at(file, 0);
  auto vtable_distance = static_cast<int32_t>(u32le_at(file, table));
  int64_t vtable = static_cast<int64_t>(table) - vtable_distance;
  if (vtable < 0 || static_cast<uint64_t>(vtable) >= file.size()) {
    throw FormatError("flatbuffer root table points outside the file");
  }
  uint16_t vtable_size = u16le_at(file, static_cast<uint64_t>(vtable));
  uint64_t entry = 4 + 2 * uint64_t{field_index};
  if (entry + 2 > vtable_size) return std::nullopt;
  uint16_t field_offset = u16le_at(file, static_cast<uint64_t>(vtable) + entry);
  if (field_offset == 0) return std::nullopt;
  return u32le_at(file, uint64_t{table} + field_offset);
}

}  // namespace mtool
