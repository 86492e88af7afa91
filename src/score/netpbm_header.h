#pragma once
// The header of a netpbm photo (PBM, PGM, PPM: magic P1 to P6), read as the
// netpbm specification says, because Debian 12's libvips (8.14) does not:
// given two or more comment lines (ImageMagick writes "#" lines after the one
// it copies from its input) it reads the width from a comment and decodes a
// 1024x640 photo as a 1x1024 16-bit one, silently (libvips issue #3842,
// fixed in 8.15.2). mtool hands libvips the same photo behind a header
// without comments instead.
#include <cstdint>
#include <string>

#include "io/byte_reader.h"

namespace mtool {

struct NetpbmHeader {
  char kind = '6';  // the digit after 'P': 1-3 plain (ASCII), 4-6 raw
  uint64_t width = 0;
  uint64_t height = 0;
  uint64_t max_value = 1;      // 1 for bitmaps (P1, P4), which have none
  uint64_t raster_offset = 0;  // where the pixels start, after the one whitespace that ends the header
};

// "P1" to "P6" followed by whitespace or a comment: what libvips' loader claims.
bool looks_like_netpbm(Bytes bytes);

// The header, or a FormatError saying what is wrong with it (a missing or
// non-numeric field, a zero size, a maximum value outside 1..65535).
NetpbmHeader read_netpbm_header(Bytes bytes);

// The same photo with its header rewritten without comments or extra
// whitespace ("P6\n1024 640\n255\n" and the raster unchanged).
std::string without_header_comments(Bytes bytes);

}  // namespace mtool
