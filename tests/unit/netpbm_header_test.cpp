#include <doctest/doctest.h>

#include "score/netpbm_header.h"

using namespace mtool;

namespace {

std::string with_raster(const std::string& header, size_t raster_bytes) {
  return header + std::string(raster_bytes, '\x7f');
}

constexpr size_t kRgb1024x640 = size_t{1024} * 640 * 3;

}  // namespace

TEST_CASE("netpbm headers with several comments read as the specification says") {
  // ImageMagick's output for a libvips-written PPM: the copied comment, then "#".
  std::string photo = with_raster("P6\n#vips2ppm - 2026-12-03T13:05:38Z\n#\n1024 640\n255\n", kRgb1024x640);
  NetpbmHeader header = read_netpbm_header(photo);
  CHECK(header.kind == '6');
  CHECK(header.width == 1024);
  CHECK(header.height == 640);
  CHECK(header.max_value == 255);
  CHECK(header.raster_offset == photo.size() - kRgb1024x640);
  CHECK(without_header_comments(photo) == with_raster("P6\n1024 640\n255\n", kRgb1024x640));

  // libvips issue 3842's example: a plain bitmap with two empty comments.
  header = read_netpbm_header("P1\n#\n#\n1 1\n0\n");
  CHECK(header.width == 1);
  CHECK(header.height == 1);
  CHECK(header.max_value == 1);
  CHECK(without_header_comments("P1\n#\n#\n1 1\n0\n") == "P1\n1 1\n0\n");
}

TEST_CASE("netpbm comments may sit anywhere between fields, even right after the magic") {
  NetpbmHeader header = read_netpbm_header(with_raster("P5#grey\n3#w\n#h\n\r\n2 \t 65535#max\n", 12));
  CHECK(header.kind == '5');
  CHECK(header.width == 3);
  CHECK(header.height == 2);
  CHECK(header.max_value == 65535);
  CHECK(without_header_comments(with_raster("P5#grey\n3#w\n#h\n\r\n2 \t 65535#max\n", 12)) ==
        with_raster("P5\n3 2\n65535\n", 12));
  // The one whitespace after the maximum value ends the header: a raster may start with '#' or a blank.
  std::string raster_of_hashes = "P5\n2 1\n255\n# ";
  CHECK(read_netpbm_header(raster_of_hashes).raster_offset == 11);
  CHECK(without_header_comments(raster_of_hashes) == raster_of_hashes);
}

TEST_CASE("netpbm headers that cannot describe a photo are refused, saying why") {
  CHECK_FALSE(looks_like_netpbm("P7\nWIDTH 1\n"));
  CHECK_FALSE(looks_like_netpbm("PNG"));
  CHECK(looks_like_netpbm("P3 1 1 255 0 0 0"));
  CHECK_THROWS_WITH_AS(read_netpbm_header("P6\n0 1\n255\n"), "netpbm header: a 0x1 photo has no pixels", FormatError);
  CHECK_THROWS_WITH_AS(read_netpbm_header("P6\n1 1\n65536\n"), "netpbm header: maximum value 65536 is outside 1..65535",
                       FormatError);
  CHECK_THROWS_AS(read_netpbm_header("P6\n1 1\n0\n"), FormatError);
  CHECK_THROWS_WITH_AS(read_netpbm_header("P6\n1234567890 1\n255\n"), "netpbm header: the width has more than 9 digits",
                       FormatError);
  CHECK_THROWS_AS(read_netpbm_header("P6\nx 1\n255\n"), FormatError);
  CHECK_THROWS_AS(read_netpbm_header("P6\n12x 1\n255\n"), FormatError);
  CHECK_THROWS_AS(read_netpbm_header("P6\n-1 1\n255\n"), FormatError);
}

TEST_CASE("a netpbm photo cut short is called truncated, in its header or in its pixels") {
  for (std::string cut : {"P6\n#\n#\n2", "P6\n2 1\n", "P6\n2 1\n255", "P6\n2 1\n255#comment"}) {
    CAPTURE(cut);
    try {
      read_netpbm_header(cut);
      FAIL("read a cut header");
    } catch (const FormatError& error) {
      CHECK(error.damage() == Damage::Truncated);
    }
  }
  try {
    without_header_comments("P6\n2 1\n255\nabc");
    FAIL("accepted 3 of 6 bytes of pixels");
  } catch (const FormatError& error) {
    CHECK(std::string(error.what()) == "netpbm photo ends after 3 of its 6 bytes of pixels (2x1)");
    CHECK(error.damage() == Damage::Truncated);
  }
  CHECK(without_header_comments("P4\n9 2\n" + std::string(4, '\0')).size() == 7 + 4);  // 2 bytes per 9-pixel row
  CHECK_THROWS_AS(without_header_comments("P4\n9 2\n" + std::string(3, '\0')), FormatError);
  CHECK(without_header_comments("P5\n1 2\n256\n" + std::string(4, '\0')).size() == 11 + 4);  // 2 bytes per sample
  CHECK_THROWS_AS(without_header_comments("P5\n1 2\n256\n" + std::string(3, '\0')), FormatError);
}
