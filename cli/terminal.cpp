#include "terminal.h"

#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

#include "io/utf8.h"

namespace mtool::cli {

Style style_for(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  bool disabled = no_colour != nullptr && no_colour[0] != '\0';
  return Style{!disabled && ::isatty(::fileno(stream)) == 1};
}

namespace {

// Length of a colour code Style writes (ESC [ n m) at `at`, or 0.
size_t style_code_length(std::string_view text, size_t at) {
  for (const char* code : kStyleCodes) {
    std::string sequence = Style::sequence(code);
    if (text.substr(at, sequence.size()) == sequence) return sequence.size();
  }
  return 0;
}

}  // namespace

std::string terminal_safe(std::string_view text) { return escape_for_terminal(text, /*keep_style=*/true); }

std::string escaped_name(std::string_view name) {
  std::string out;
  // Newlines and tabs in a name would break the line it is listed on.
  for (char c : escape_for_terminal(name, /*keep_style=*/false)) {
    out += c == '\n' ? std::string("\\x0a") : c == '\t' ? std::string("\\x09") : std::string(1, c);
  }
  return out;
}

std::string escape_for_terminal(std::string_view text, bool keep_style) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (at < text.size()) {
    auto byte = static_cast<unsigned char>(text[at]);
    size_t keep = 0;
    if (byte == '\033') {
      keep = keep_style ? style_code_length(text, at) : 0;
    } else if (byte == '\n' || byte == '\t' || (byte >= 0x20 && byte < 0x7F)) {
      keep = 1;
    } else if (byte >= 0x80) {
      keep = utf8_sequence_length(text, at);
      bool c1_control = byte == 0xC2 && keep == 2 && static_cast<unsigned char>(text[at + 1]) < 0xA0;
      if (c1_control) keep = 0;
    }
    if (keep == 0) {
      out += fmt::format("\\x{:02x}", byte);
      ++at;
      continue;
    }
    out.append(text.substr(at, keep));
    at += keep;
  }
  return out;
}

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string human_count(uint64_t count) {
  if (count < 10'000) return std::to_string(count);
  // Each unit until the next one reads better: 2.56 M, not 2555.0 k.
  if (count < 1'000'000) return fmt::format("{:.1f} k", static_cast<double>(count) / 1e3);
  if (count < 1'000'000'000) return fmt::format("{:.2f} M", static_cast<double>(count) / 1e6);
  return fmt::format("{:.2f} G", static_cast<double>(count) / 1e9);
}

}  // namespace mtool::cli
