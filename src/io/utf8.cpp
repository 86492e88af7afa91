#include "io/utf8.h"

namespace mtool {

namespace {

bool is_continuation(std::string_view text, size_t at, unsigned char low = 0x80, unsigned char high = 0xBF) {
  if (at >= text.size()) return false;
  auto byte = static_cast<unsigned char>(text[at]);
  return byte >= low && byte <= high;
}

}  // namespace

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
