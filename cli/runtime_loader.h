#pragma once
// Finds and opens libmtool_runtime.so on first use.
#include "run/runtime_api.h"

namespace mtool::cli {

// Throws mtool::Error(Io) naming where it looked when the library is missing
// or does not match this mtool.
const MtoolRuntimeApi& runtime_api();

}  // namespace mtool::cli
