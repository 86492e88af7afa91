#include "inspect/runtime_versions.h"

#include <array>
#include <charconv>

namespace mtool {

namespace {

// Sources: caffe2/serialize/versions.h at each release (kMaxSupportedFileFormatVersion,
// kMinSupportedBytecodeVersion, kProducedBytecodeVersion / kMaxSupportedBytecodeVersion),
// checked against the loaders' own error text where users quoted it:
//   - "The model version must be between 3 and 5" from LibTorch-Lite 1.9
//     (pytorch/android-demo-app issues 202 and 211, late 2021);
//   - "between 3 and 7 but the model version is 8" from LibTorch-Lite 1.10
//     (facebookresearch/playtorch issue 59), fixed by moving to 1.12
//     (pytorch/android-demo-app pull request 271);
//   - 1.13: Debian's libtorch-dev headers (max file format 0xA, bytecode 4..9).
// Bytecode history (versions.h): v4 schema in function tuples (1.7); v5 shares
// constant tensors with TorchScript (1.9); v6 implicit operator versioning and
// v7 default plus out arguments (1.10); v8 promoted operators as instructions
// (1.11); v9 flatbuffer (1.12). File format history: 4 torch.div (1.5),
// 5 torch.full (1.6), 6 .data/version (1.8), 7-10 operator upgraders (1.11-1.12).
// Before 1.6 mobile used full TorchScript; those releases are not tabulated.
constexpr std::array kReleases = {
    RuntimeRelease{{5, 3, 3}, "1.6", false},  RuntimeRelease{{5, 3, 4}, "1.7", false},
    RuntimeRelease{{6, 3, 4}, "1.8", false},  RuntimeRelease{{6, 3, 5}, "1.9", false},
    RuntimeRelease{{6, 3, 7}, "1.10", false}, RuntimeRelease{{9, 4, 8}, "1.11", false},
    RuntimeRelease{{10, 4, 9}, "1.12", true}, RuntimeRelease{{10, 4, 9}, "1.13", true},
    RuntimeRelease{{10, 4, 9}, "2.0", true},  RuntimeRelease{{10, 4, 9}, "2.1", true},
    RuntimeRelease{{10, 4, 9}, "2.2", true},  RuntimeRelease{{10, 4, 9}, "2.3", true},
    RuntimeRelease{{10, 4, 9}, "2.4", true},  RuntimeRelease{{10, 4, 9}, "2.5", true},
};

// "1.10.2" -> {1, 10}
std::optional<std::pair<int, int>> major_minor(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  int major = 0;
  int minor = 0;
  const char* end = text.data() + text.size();
  auto [after_major, error1] = std::from_chars(text.data(), end, major);
  if (error1 != std::errc() || after_major == end || *after_major != '.') return std::nullopt;
  auto [after_minor, error2] = std::from_chars(after_major + 1, end, minor);
  if (error2 != std::errc()) return std::nullopt;
  if (after_minor != end && *after_minor != '.') return std::nullopt;
  return std::pair{major, minor};
}

}  // namespace

std::span<const RuntimeRelease> runtime_releases() { return kReleases; }

std::optional<RuntimeRelease> find_runtime_release(std::string_view version) {
  auto wanted = major_minor(version);
  if (!wanted) return std::nullopt;
  for (const RuntimeRelease& release : kReleases) {
    if (major_minor(release.version) == wanted) return release;
  }
  return std::nullopt;
}

}  // namespace mtool
