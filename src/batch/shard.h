#pragma once
// `--shard K/N`: which share of the inputs one job of N takes. A path belongs
// to shard K when its hash modulo N is K. The hash is 64-bit FNV-1a over the
// path's bytes exactly as given or found (no normalisation), so a path lands
// in the same shard whatever order the paths are listed in and however many
// other files a folder gains; "./a.pt" and "a.pt" are different paths.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mtool {

struct Shard {
  uint64_t index = 0;  // K, 0-based
  uint64_t count = 1;  // N

  bool holds(std::string_view path) const;
  std::string text() const;  // "K/N"
};

uint64_t path_hash(std::string_view path);

// Parses "K/N" with 0 <= K < N; throws Error(Usage) naming what is wrong.
Shard parse_shard(const std::string& text);

}  // namespace mtool
