#pragma once
// Which shared libraries of custom operators to load before a model is, decided
// without LibTorch: those given with --load-ops, and torchvision's own when a
// model calls torchvision:: operators (nms, roi_align: detection models such as
// D2Go's). Python loads those with `import torchvision`; mtool loads the C++
// library Debian's python3-torchvision ships, which registers the operators with
// LibTorch when it is opened and needs no Python.
#include <optional>
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

// Where Debian's python3-torchvision keeps its operators (_C.cpython-311-x86_64-linux-gnu.so).
inline const char* const kTorchvisionFolder = "/usr/lib/python3/dist-packages/torchvision";

// The torchvision operator library in `folder`: its _C*.so file, or nothing.
// MTOOL_TORCHVISION_OPS, when set, is used instead (empty: there is none).
std::optional<std::string> find_torchvision_operators(const std::string& folder = kTorchvisionFolder);

struct OperatorLibraries {
  std::vector<std::string> given;              // --load-ops, in order
  std::optional<std::string> torchvision;      // torchvision's, to load unless a given one registered it
  std::vector<std::string> needs_torchvision;  // models calling torchvision:: operators
};

// Error(Usage) for a --load-ops path that is not a regular file. `torchvision`
// is find_torchvision_operators()'s answer; it is planned only for models that
// call torchvision:: operators.
OperatorLibraries plan_operator_libraries(const std::vector<std::string>& given,
                                          const std::vector<const ModelReport*>& models,
                                          const std::optional<std::string>& torchvision);

}  // namespace mtool
