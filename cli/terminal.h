#pragma once
// Output styling: colour only when the stream is a terminal and NO_COLOR is unset.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace mtool::cli {

// The SGR codes Style writes; terminal_safe lets exactly these through.
inline constexpr const char* kStyleCodes[] = {"0", "1", "2", "31", "33", "36"};

struct Style {
  bool colour = false;
  std::string bold(const std::string& text) const { return wrap(kStyleCodes[1], text); }
  std::string dim(const std::string& text) const { return wrap(kStyleCodes[2], text); }
  std::string red(const std::string& text) const { return wrap(kStyleCodes[3], text); }
  std::string yellow(const std::string& text) const { return wrap(kStyleCodes[4], text); }
  std::string cyan(const std::string& text) const { return wrap(kStyleCodes[5], text); }

  // ESC [ code m
  static std::string sequence(const char* code) { return "\033[" + std::string(code) + "m"; }

 private:
  std::string wrap(const char* code, const std::string& text) const {
    return colour ? sequence(code) + text + sequence(kStyleCodes[0]) : text;
  }
};

Style style_for(std::FILE* stream);

// Text as it may safely reach a terminal. Names inside model files (globals,
// records, labels) are arbitrary bytes: a name holding ESC [2J or a carriage
// return could clear or overwrite what mtool printed, and invalid UTF-8 garbles
// it. Control characters other than newline and tab, C1 controls and bytes that
// are not UTF-8 become \xNN; Style's own colour codes are kept.
std::string terminal_safe(std::string_view text);
// A name from a file (an extra file, a path found by scan) as one line of
// text: like terminal_safe, but escape sequences that look like Style's own,
// newlines and tabs become \xNN too, so a name cannot colour or break mtool's lines.
std::string escaped_name(std::string_view name);
std::string escape_for_terminal(std::string_view text, bool keep_style);

// 1536 -> "1.5 KiB"
std::string human_bytes(uint64_t bytes);
// 3504872 -> "3.50 M"
std::string human_count(uint64_t count);

}  // namespace mtool::cli
