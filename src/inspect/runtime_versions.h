#pragma once
// Which LibTorch / LibTorch-Lite releases can load which files.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mtool {

// What a loader accepts, as its release's caffe2/serialize/versions.h says.
struct LoadBounds {
  int max_file_format = 0;  // kMaxSupportedFileFormatVersion: torch::jit::load refuses newer archives
  int min_bytecode = 0;     // kMinSupportedBytecodeVersion: _load_for_mobile's lower bound
  int max_bytecode = 0;     // its upper bound (kMaxSupportedBytecodeVersion, or the produced version
                            // in releases that had no separate maximum)
};

struct RuntimeRelease : LoadBounds {
  const char* version = "";  // "1.10"
  bool flatbuffer = false;   // _load_for_mobile can read PTMF flatbuffer files when built with them
};

// Oldest first.
std::span<const RuntimeRelease> runtime_releases();

// "1.10", "1.10.2" or "v1.10" -> the 1.10 row; nullopt when not in the table.
std::optional<RuntimeRelease> find_runtime_release(std::string_view version);

// The LibTorch mtool itself is built against, read from its headers.
struct LinkedLibTorch : LoadBounds {
  std::string version;
  int produced_bytecode = 0;
};
const LinkedLibTorch& linked_libtorch();

}  // namespace mtool
