#pragma once
// The escape decoding CPython's unpickler applies to protocol-0 strings: names
// built from them ('\x6fs' is "os") must be read as Python reads them.
#include <optional>
#include <string>
#include <string_view>

namespace mtool {

// codecs.escape_decode, as pickle's STRING opcode applies it to the quoted
// text: \\ \' \" \a \b \f \n \r \t \v, octal \ooo, \xhh, backslash-newline;
// other escapes keep their backslash. Nothing for a malformed \x escape.
std::optional<std::string> decode_string_escapes(std::string_view text);

// The raw-unicode-escape codec of the UNICODE opcode: \uXXXX and \UXXXXXXXX
// are code points, every other byte is Latin-1. Returns UTF-8; nothing for a
// malformed escape or a code point above U+10FFFF.
std::optional<std::string> decode_raw_unicode_escape(std::string_view text);

}  // namespace mtool
