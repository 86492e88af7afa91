#include "pickle/python_escapes.h"

#include <cstdint>

namespace mtool {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `count` hex digits at text[at], or nothing.
std::optional<uint32_t> hex_digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return std::nullopt;
  uint32_t value = 0;
  for (size_t i = at; i < at + count; ++i) {
    int digit = hex_value(text[i]);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

char simple_escape(char c) {
  switch (c) {
    case '\\': return '\\';
    case '\'': return '\'';
    case '"': return '"';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return 0;
  }
}

}  // namespace

std::optional<std::string> decode_string_escapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char next = text[++i];
    if (char simple = simple_escape(next)) {
      out += simple;
    } else if (next == '\n') {
      // a line continuation: nothing
    } else if (next >= '0' && next <= '7') {
      unsigned value = 0;
      size_t end = std::min(text.size(), i + 3);
      for (; i < end && text[i] >= '0' && text[i] <= '7'; ++i) value = value * 8 + static_cast<unsigned>(text[i] - '0');
      --i;
      out += static_cast<char>(value & 0xFF);
    } else if (next == 'x') {
      std::optional<uint32_t> value = hex_digits(text, i + 1, 2);
      if (!value) return std::nullopt;
      out += static_cast<char>(*value);
      i += 2;
    } else {
      out += '\\';
      out += next;
    }
  }
  return out;
}

std::optional<std::string> decode_raw_unicode_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    // Only a backslash preceded by an even number of backslashes escapes.
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'u' || text[i + 1] == 'U')) {
      size_t digits = text[i + 1] == 'u' ? 4 : 8;
      std::optional<uint32_t> code = hex_digits(text, i + 2, digits);
      if (!code || *code > 0x10FFFF) return std::nullopt;
      append_utf8(out, *code);
      i += 1 + digits;
    } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
      out += "\\\\";
      ++i;
    } else {
      append_utf8(out, static_cast<uint8_t>(text[i]));
    }
  }
  return out;
}

}  // namespace mtool
