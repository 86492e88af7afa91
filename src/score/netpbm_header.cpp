#include "score/netpbm_header.h"

#include <fmt/format.h>

namespace mtool {

namespace {

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// P1 and P4 are bitmaps: no maximum value, 8 pixels to a byte in raw rasters.
bool is_bitmap(char kind) { return kind == '1' || kind == '4'; }

bool next_is(const ByteReader& reader, bool (*test)(char)) { return !reader.at_end() && test(reader.peek()); }

// A comment: from "#" up to (not including) the end of its line.
void skip_comment(ByteReader& reader) {
  while (next_is(reader, [](char c) { return c != '\n' && c != '\r'; })) reader.skip(1);
}

// Whitespace and comments before a field.
void skip_separators(ByteReader& reader) {
  while (!reader.at_end()) {
    if (reader.peek() == '#') {
      skip_comment(reader);
    } else if (is_whitespace(reader.peek())) {
      reader.skip(1);
    } else {
      return;
    }
  }
}

// A header field: ASCII decimal digits, at most 9 of them (no photo is a
// billion pixels wide), ending at whitespace or a comment.
uint64_t read_field(ByteReader& reader, const char* name) {
  skip_separators(reader);
  uint64_t value = 0;
  int digits = 0;
  while (next_is(reader, [](char c) { return c >= '0' && c <= '9'; })) {
    if (++digits > 9) throw FormatError(fmt::format("netpbm header: the {} has more than 9 digits", name));
    value = value * 10 + static_cast<uint64_t>(reader.peek() - '0');
    reader.skip(1);
  }
  if (digits == 0) {
    if (reader.at_end()) throw FormatError(fmt::format("netpbm header ends before its {}", name), Damage::Truncated);
    throw FormatError(
        fmt::format("netpbm header: the {} is not a number (found {})", name, hex_preview(reader.rest(), 4)));
  }
  if (next_is(reader, [](char c) { return !is_whitespace(c) && c != '#'; })) {
    throw FormatError(
        fmt::format("netpbm header: the {} is followed by {}, not whitespace", name, hex_preview(reader.rest(), 4)));
  }
  return value;
}

}  // namespace

bool looks_like_netpbm(Bytes bytes) {
  return bytes.size() >= 3 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6' &&
         (is_whitespace(bytes[2]) || bytes[2] == '#');
}

NetpbmHeader read_netpbm_header(Bytes bytes) {
  if (!looks_like_netpbm(bytes)) throw FormatError("not a netpbm photo (no P1 to P6 magic)");
  NetpbmHeader header;
  header.kind = bytes[1];
  ByteReader reader(bytes);
  reader.skip(2);
  header.width = read_field(reader, "width");
  header.height = read_field(reader, "height");
  if (header.width == 0 || header.height == 0) {
    throw FormatError(fmt::format("netpbm header: a {}x{} photo has no pixels", header.width, header.height));
  }
  if (!is_bitmap(header.kind)) {
    header.max_value = read_field(reader, "maximum value");
    if (header.max_value == 0 || header.max_value > 65535) {
      throw FormatError(fmt::format("netpbm header: maximum value {} is outside 1..65535", header.max_value));
    }
  }
  // Exactly one whitespace character separates the header from the raster
  // (a comment may come before it, and a raw raster may start with any byte).
  if (next_is(reader, [](char c) { return c == '#'; })) skip_comment(reader);
  if (reader.at_end()) throw FormatError("netpbm header ends before its pixels", Damage::Truncated);
  reader.skip(1);
  header.raster_offset = reader.position();
  return header;
}

namespace {

// The bytes a raw raster (P4 to P6) takes: bitmaps pack 8 pixels to a byte
// per row; a maximum value past 255 takes two bytes per sample.
uint64_t raw_raster_size(const NetpbmHeader& header) {
  if (header.kind == '4') return checked_mul((header.width + 7) / 8, header.height, "netpbm raster size");
  uint64_t samples = checked_mul(checked_mul(header.width, header.height, "netpbm raster size"),
                                 header.kind == '6' ? 3 : 1, "netpbm raster size");
  return checked_mul(samples, header.max_value > 255 ? 2 : 1, "netpbm raster size");
}

}  // namespace

std::string without_header_comments(Bytes bytes) {
  NetpbmHeader header = read_netpbm_header(bytes);
  if (header.kind >= '4') {
    uint64_t needed = raw_raster_size(header);
    uint64_t present = bytes.size() - header.raster_offset;
    if (present < needed) {
      throw FormatError(fmt::format("netpbm photo ends after {} of its {} bytes of pixels ({}x{})", present, needed,
                                    header.width, header.height),
                        Damage::Truncated);
    }
  }
  std::string out = is_bitmap(header.kind)
                        ? fmt::format("P{}\n{} {}\n", header.kind, header.width, header.height)
                        : fmt::format("P{}\n{} {}\n{}\n", header.kind, header.width, header.height, header.max_value);
  Bytes raster = bytes.substr(header.raster_offset);
  out.append(raster.data(), raster.size());
  return out;
}

}  // namespace mtool
