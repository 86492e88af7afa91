#pragma once
// UTF-8 as RFC 3629 defines it, for deciding whether bytes from a file are text.
#include <cstddef>
#include <string_view>

namespace mtool {

// Length (2 to 4) of the well-formed multi-byte UTF-8 sequence starting at
// text[at], or 0: no overlong forms, no surrogates, nothing above U+10FFFF.
// ASCII bytes are not multi-byte sequences and also give 0.
size_t utf8_sequence_length(std::string_view text, size_t at);

// Terminal columns `text` takes: East Asian wide and fullwidth characters (CJK,
// Hangul, fullwidth forms, emoji) 2, combining marks and zero-width characters 0,
// anything else (a byte that is not well-formed UTF-8 included) 1. For aligning
// columns of names from files; escape sequences must be escaped before.
size_t display_width(std::string_view text);

}  // namespace mtool
