#include <doctest/doctest.h>
#include <string>
#include <vector>

#include "io/protobuf_reader.h"

using namespace mtool;

namespace {

std::vector<ProtoField> fields_of(const std::string& bytes) {
  std::vector<ProtoField> fields;
  ProtoReader reader(bytes);
  ProtoField field;
  while (reader.next(field)) fields.push_back(field);
  return fields;
}

}  // namespace

TEST_CASE("protobuf reader: fields, nested messages and packed values") {
  // field 1 varint 150, field 2 message {field 1 "hi"}, field 3 fixed32 1.5f
  std::string bytes("\x08\x96\x01\x12\x04\x0a\x02hi\x1d\x00\x00\xc0\x3f", 14);
  auto fields = fields_of(bytes);
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].varint == 150);
  CHECK(fields[1].file_offset == 5);
  ProtoReader nested = ProtoReader(bytes).nested(fields[1]);
  ProtoField inner;
  REQUIRE(nested.next(inner));
  CHECK(inner.text() == "hi");
  CHECK(fields[2].fixed32_float() == 1.5f);

  std::string packed("\x0a\x03\x01\x96\x01", 5);
  std::vector<uint64_t> values;
  for_each_varint(fields_of(packed)[0], [&](uint64_t value) { values.push_back(value); });
  CHECK(values == std::vector<uint64_t>{1, 150});
  CHECK(fixed_value_count(fields_of(std::string("\x0a\x08", 2) + std::string(8, 'x'))[0], 4) == 2);
}

TEST_CASE("protobuf reader: hostile input is a FormatError") {
  CHECK_THROWS_AS(fields_of(std::string("\x12\x05" "ab", 4)), FormatError);            // length past the end
  CHECK_THROWS_AS(fields_of(std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11)), FormatError);  // > 64 bits
  CHECK_THROWS_AS(fields_of(std::string("\x08", 1)), FormatError);                  // varint cut
  CHECK_THROWS_AS(fields_of(std::string("\x0b", 1)), FormatError);                  // group wire type
  CHECK_THROWS_AS(fields_of(std::string("\x00\x01", 2)), FormatError);              // field number 0
  CHECK_THROWS_AS(fixed_value_count(fields_of(std::string("\x0a\x03" "xyz", 5))[0], 4), FormatError);
  // The largest varint that fits: ten bytes, bit 63 set.
  CHECK(fields_of(std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11))[0].varint == UINT64_MAX);
  // Nesting past the limit.
  std::string message;
  for (int depth = 0; depth <= kMaxProtoDepth + 1; ++depth) {
    std::string length;
    for (size_t size = message.size(); size >= 0x80; size >>= 7) length += static_cast<char>(0x80 | (size & 0x7f));
    length += static_cast<char>(message.size() >> (7 * length.size()));
    message = "\x0a" + length + message;
  }
  ProtoReader reader(message);
  ProtoField field;
  auto descend = [&] {
    while (reader.next(field)) reader = reader.nested(field);
  };
  CHECK_THROWS_AS(descend(), FormatError);
}
