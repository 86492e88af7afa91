// The only file of mtool_core that includes LibTorch headers, and only for
// their constants: mtool_core never links LibTorch, yet `inspect` can say what
// the LibTorch that mtool's runtime library links would accept.
#include <caffe2/serialize/versions.h>
#include <torch/version.h>

#include "inspect/runtime_versions.h"

namespace mtool {

const LinkedLibTorch& linked_libtorch() {
  static const LinkedLibTorch linked{
      {static_cast<int>(caffe2::serialize::kMaxSupportedFileFormatVersion),
       static_cast<int>(caffe2::serialize::kMinSupportedBytecodeVersion),
       static_cast<int>(caffe2::serialize::kMaxSupportedBytecodeVersion)},
      TORCH_VERSION,
      static_cast<int>(caffe2::serialize::kProducedBytecodeVersion),
  };
  return linked;
}

}  // namespace mtool
