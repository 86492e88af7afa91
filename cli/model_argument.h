#pragma once
// A model file named on the command line, inspected. Its errors name the file
// ("model.pt: cannot open: No such file or directory"): `inspect` prints the
// path beside each message itself, the other commands take one model and rely
// on the message alone.
#include <string>

#include "inspect/inspector.h"

namespace mtool::cli {

ModelReport inspect_model_argument(const std::string& path);

}  // namespace mtool::cli
