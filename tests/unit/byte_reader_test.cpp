#include <doctest/doctest.h>

#include "io/byte_reader.h"

using namespace mtool;

TEST_CASE("ByteReader reads little-endian integers and advances") {
  std::string bytes("\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9);
  ByteReader reader(bytes);
  CHECK(reader.u8() == 0x01);
  CHECK(reader.u16le() == 0x0302);
  CHECK(reader.u32le() == 0x07060504u);
  CHECK(reader.position() == 7);
  CHECK(reader.remaining() == 2);
}

TEST_CASE("ByteReader refuses to read past the end, naming the offset") {
  std::string bytes("\x01\x02", 2);
  ByteReader reader(bytes, 100);
  reader.u8();
  CHECK_THROWS_WITH_AS(reader.u32le(), "offset 101: 32-bit integer needs 4 bytes but only 1 remain", FormatError);
  CHECK_THROWS_AS(reader.take(1ull << 62, "string"), FormatError);
}

TEST_CASE("ByteReader lines need a newline") {
  ByteReader reader(std::string_view("abc\ndef"));
  CHECK(reader.line() == "abc");
  CHECK_THROWS_AS(reader.line(), FormatError);
}

TEST_CASE("checked arithmetic and sub-ranges") {
  CHECK(checked_add(1, 2, "x") == 3);
  CHECK_THROWS_AS(checked_add(~0ull, 1, "x"), FormatError);
  CHECK_THROWS_AS(checked_mul(1ull << 40, 1ull << 40, "x"), FormatError);
  std::string_view bytes("0123456789");
  CHECK(sub_range(bytes, 2, 3, "part") == "234");
  CHECK_THROWS_AS(sub_range(bytes, 8, 3, "part"), FormatError);
  CHECK_THROWS_AS(sub_range(bytes, ~0ull, 2, "part"), FormatError);
}

TEST_CASE("BINFLOAT is big-endian") {
  std::string bytes("\x3f\xf0\x00\x00\x00\x00\x00\x00", 8);
  ByteReader reader(bytes);
  CHECK(reader.f64be() == 1.0);
}

TEST_CASE("find_last finds the last whole occurrence inside the window") {
  Bytes bytes("PK..PK56xxPK56PK5", 17);
  CHECK(find_last(bytes, "PK56", 0, 100) == 10);
  CHECK(find_last(bytes, "PK56", 0, 9) == 4);
  CHECK(find_last(bytes, "PK56", 5, 9) == Bytes::npos);
  CHECK(find_last(bytes, "PK56", 11, 100) == Bytes::npos);  // "PK5" at the end is cut short
  CHECK(find_last(bytes, "PK56", 4, 4) == 4);
  CHECK(find_last(Bytes("PK"), "PK56", 0, 100) == Bytes::npos);
  CHECK(find_last(Bytes(), "P", 0, 0) == Bytes::npos);
}

TEST_CASE("ByteReader peeks at the next byte without consuming it, and shows the rest") {
  ByteReader reader(std::string_view("ab"), 10);
  CHECK(reader.peek() == 'a');
  CHECK(reader.position() == 0);
  reader.skip(1);
  CHECK(reader.peek() == 'b');
  CHECK(reader.rest() == "b");
  reader.skip(1);
  CHECK(reader.rest().empty());
  CHECK_THROWS_WITH_AS(reader.peek(), "offset 12: byte needs 1 bytes but only 0 remain", FormatError);
}
