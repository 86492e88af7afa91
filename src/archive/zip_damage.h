#pragma once
// When a zip has no readable central directory (typically a download cut
// short), walk the local headers to say how far the file gets.
#include <string>

#include "io/byte_reader.h"

namespace mtool {

// One sentence: where the file ends, which records were found intact, which
// one it ends inside.
std::string explain_missing_central_directory(Bytes file);

}  // namespace mtool
