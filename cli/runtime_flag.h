#pragma once
// --runtime X.Y as inspect, backport and convert take it: one parser, so an
// unknown release reads the same whichever command was given it.
#include <string>

#include "inspect/runtime_versions.h"

namespace mtool::cli {

// The release `text` names ("1.10", "1.10.2", "v1.10"); Error(Usage) listing
// the known ones otherwise. `also` names what else the command accepts
// ("an Apple OS such as ios15"), for the message.
RuntimeRelease parse_runtime_flag(const std::string& text, const char* also = nullptr);

}  // namespace mtool::cli
