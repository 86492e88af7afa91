#pragma once
// Opening libraries of custom operators into the runtime (runtime library only).
#include <nlohmann/json.hpp>

namespace mtool {

// {"libraries": [path...], "torchvision": path (optional)} -> {"loaded": [path...], "torchvision": "loaded" |
// "registered" (a given library already had torchvision's operators) | "none"}. Each library registers its
// operators with LibTorch as it is opened (dlopen; never closed). torchvision's is opened only when no
// earlier library registered torchvision::nms, as a second registration of a namespace aborts LibTorch.
// A library that does not open is Error(Io) "--load-ops PATH: cannot load it: <dlerror>".
nlohmann::json run_load_ops(const nlohmann::json& request);

}  // namespace mtool
