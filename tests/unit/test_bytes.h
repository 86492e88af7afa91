#pragma once
#include <string>
#include <string_view>

namespace mtool::test {

// "80 02 ..." (spaces ignored) -> bytes; for embedding pickles made by Python.
inline std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) continue;
    if (high < 0) {
      high = digit;
    } else {
      out += static_cast<char>(high * 16 + digit);
      high = -1;
    }
  }
  return out;
}

}  // namespace mtool::test
