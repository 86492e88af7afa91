#pragma once
// The legacy torch.save layout (before PyTorch 1.6, and later with
// _use_new_zipfile_serialization=False): five pickles in a row, then the raw
// storages, each an int64 element count and that many elements (torch 1.13
// serialization.py _legacy_save / _legacy_load, storage _set_from_file).
// Inspect reads the pickles, scan steps over the storages: both from here.
#include <array>
#include <cstdint>
#include <string_view>

namespace mtool {

// The five pickles, in the order they follow each other.
enum LegacyPickle : int {
  kLegacyMagicPickle,        // the magic number 0x1950a86a20f9469cfc6c
  kLegacyProtocolPickle,     // the "protocol version", 1001 in every release
  kLegacySystemInfoPickle,   // {'protocol_version', 'little_endian', 'type_sizes'}
  kLegacyObjectPickle,       // the object saved; storages are persistent ids
  kLegacyStorageKeysPickle,  // the storage keys, in the order the storages follow
  kLegacyPickleCount,
};

// Each pickle's name, for messages ("object pickle: offset 12: ...").
constexpr std::array<std::string_view, kLegacyPickleCount> kLegacyPickleNames = {
    "magic number", "protocol version", "system information", "object", "storage keys"};

// The element count before each storage's data.
constexpr uint64_t kLegacyStorageCountBytes = 8;

}  // namespace mtool
