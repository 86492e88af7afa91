#include "io/quoting.h"

#include <algorithm>
#include <fmt/format.h>

namespace mtool {

namespace {

bool shell_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("@%_+=:,./-").find(c) != std::string_view::npos;
}

bool control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// $'...' (bash, zsh, ksh, POSIX 2024 sh): control characters as \xNN, so the
// printed command neither drives the terminal nor hides what it runs.
std::string ansi_c_quote(std::string_view text) {
  std::string quoted = "$'";
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (control(c)) {
      quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

std::string shell_quote(std::string_view text) {
  bool plain = !text.empty();
  for (char c : text) plain = plain && shell_plain(c);
  if (plain) return std::string(text);
  if (std::any_of(text.begin(), text.end(), control)) return ansi_c_quote(text);
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string python_string(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '\'') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      quoted += fmt::format("\\x{:02x}", byte);
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace mtool
