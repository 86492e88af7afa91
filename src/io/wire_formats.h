#pragma once
// Minimal, bounds-checked readers for the two serialization formats that
// other model files are built on: protobuf (ONNX, Core ML) and flatbuffers
// (lite flatbuffer, ExecuTorch, TFLite). Only what identification needs.
#include <cstdint>
#include <optional>
#include <vector>

#include "io/byte_reader.h"

namespace mtool {

struct ProtoField {
  uint32_t number = 0;
  uint8_t wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;
  Bytes payload;          // length-delimited fields
};

// The top-level fields of a protobuf message that must span all of `bytes`.
// Throws FormatError when the bytes are not a well-formed message.
std::vector<ProtoField> read_proto_fields(Bytes bytes);

// A scalar field of a flatbuffer's root table (field 0 is the first declared),
// or nullopt when the field is absent. Throws FormatError on bad offsets.
std::optional<uint32_t> flatbuffer_root_u32(Bytes file, unsigned field_index);

}  // namespace mtool
