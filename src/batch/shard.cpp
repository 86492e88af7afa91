#include "batch/shard.h"

#include <charconv>
#include <fmt/format.h>

#include "io/error.h"

namespace mtool {

namespace {

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

uint64_t path_hash(std::string_view path) {
  // FNV-1a, 64-bit (offset basis and prime from the published definition).
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : path) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool Shard::holds(std::string_view path) const { return path_hash(path) % count == index; }

std::string Shard::text() const { return fmt::format("{}/{}", index, count); }

Shard parse_shard(const std::string& text) {
  size_t slash = text.find('/');
  std::optional<uint64_t> index = slash == std::string::npos ? std::nullopt : parse_number(std::string_view(text).substr(0, slash));
  std::optional<uint64_t> count = slash == std::string::npos ? std::nullopt : parse_number(std::string_view(text).substr(slash + 1));
  if (!index || !count) throw Error(ErrorKind::Usage, fmt::format("--shard {}: give K/N, e.g. --shard 0/8", text));
  if (*count == 0 || *index >= *count) {
    throw Error(ErrorKind::Usage, fmt::format("--shard {}: K must be from 0 to N-1 (shards are numbered from 0)", text));
  }
  return {*index, *count};
}

}  // namespace mtool
