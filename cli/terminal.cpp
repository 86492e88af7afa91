#include "terminal.h"

#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

namespace mtool::cli {

Style style_for(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  bool disabled = no_colour != nullptr && no_colour[0] != '\0';
  return Style{!disabled && ::isatty(::fileno(stream)) == 1};
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
  if (count < 10'000'000) return fmt::format("{:.1f} k", static_cast<double>(count) / 1e3);
  if (count < 10'000'000'000) return fmt::format("{:.2f} M", static_cast<double>(count) / 1e6);
  return fmt::format("{:.2f} G", static_cast<double>(count) / 1e9);
}

}  // namespace mtool::cli
