#pragma once
// mtool inspect's library entry point: identify a file by its content and
// describe it, without executing or importing anything from it, and without
// LibTorch.
#include <optional>
#include <string>

#include "inspect/coreml_os.h"
#include "inspect/model_report.h"
#include "inspect/runtime_versions.h"
#include "io/byte_reader.h"

namespace mtool {

struct InspectOptions {
  // The LibTorch / LibTorch-Lite release the app ships (--runtime), if named.
  std::optional<RuntimeRelease> runtime;
  // The Apple OS release the app targets (--runtime ios15), for Core ML models.
  std::optional<AppleOsTarget> apple_os;
};

// Throws Error(Io) when the path cannot be read (missing, permissions).
// Everything wrong with the content is reported in the ModelReport instead.
ModelReport inspect_path(const std::string& path, const InspectOptions& options);

// The same for bytes already in memory (tests, fuzzers).
ModelReport inspect_bytes(Bytes bytes, const std::string& path, const InspectOptions& options);

}  // namespace mtool
