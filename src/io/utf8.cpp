#include "io/utf8.h"

#include <iterator>

namespace mtool {

namespace {

bool is_continuation(std::string_view text, size_t at, unsigned char low = 0x80, unsigned char high = 0xBF) {
  if (at >= text.size()) return false;
  auto byte = static_cast<unsigned char>(text[at]);
  return byte >= low && byte <= high;
}

char32_t decode(std::string_view text, size_t at, size_t length) {
  static constexpr unsigned char kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  char32_t code = static_cast<unsigned char>(text[at]) & kLeadMask[length];
  for (size_t i = 1; i < length; ++i) code = (code << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  return code;
}

struct Range {
  char32_t first, last;
};

bool in(const Range* ranges, size_t count, char32_t code) {
  for (size_t i = 0; i < count; ++i) {
    if (code >= ranges[i].first && code <= ranges[i].last) return true;
  }
  return false;
}

// Unicode's East Asian Width W and F blocks (UAX #11), merged to blocks.
constexpr Range kWide[] = {
    {0x1100, 0x115F},  {0x231A, 0x231B},  {0x2329, 0x232A},  {0x23E9, 0x23EC},  {0x2E80, 0x303E},
    {0x3041, 0x33FF},  {0x3400, 0x4DBF},  {0x4E00, 0x9FFF},  {0xA000, 0xA4CF},  {0xA960, 0xA97F},
    {0xAC00, 0xD7A3},  {0xF900, 0xFAFF},  {0xFE10, 0xFE19},  {0xFE30, 0xFE6F},  {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},  {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

// Combining marks and zero-width characters (Mn blocks most text uses, ZWSP..ZWJ, variation selectors).
constexpr Range kZero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0x302A, 0x302F}, {0x3099, 0x309A}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
};

// Columns the character (or stray byte) at text[at] takes, and how many bytes it spans.
struct Glyph {
  size_t columns, bytes;
};

Glyph glyph_at(std::string_view text, size_t at) {
  size_t length = utf8_sequence_length(text, at);
  if (length == 0) return {1, 1};
  char32_t code = decode(text, at, length);
  if (in(kZero, std::size(kZero), code)) return {0, length};
  return {in(kWide, std::size(kWide), code) ? size_t{2} : size_t{1}, length};
}

}  // namespace

size_t display_width(std::string_view text) {
  size_t columns = 0;
  for (size_t at = 0; at < text.size();) {
    Glyph glyph = glyph_at(text, at);
    columns += glyph.columns;
    at += glyph.bytes;
  }
  return columns;
}

size_t utf8_sequence_length(std::string_view text, size_t at) {
  if (at >= text.size()) return 0;
  auto lead = static_cast<unsigned char>(text[at]);
  if (lead >= 0xC2 && lead <= 0xDF) return is_continuation(text, at + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // E0 80..9F would be overlong
    unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // ED A0..BF would be surrogates
    return is_continuation(text, at + 1, low, high) && is_continuation(text, at + 2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // F0 80..8F would be overlong
    unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // F4 90.. would pass U+10FFFF
    bool whole = is_continuation(text, at + 1, low, high) && is_continuation(text, at + 2) &&
                 is_continuation(text, at + 3);
    return whole ? 4 : 0;
  }
  return 0;
}

}  // namespace mtool
