#pragma once
// --load-ops LIB.so as the commands that load models take it (score, bench,
// backport, convert, inspect --try-load), and torchvision's operators loaded for
// models that call them.
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace CLI {
class App;
}

namespace mtool::cli {

void add_load_ops_option(CLI::App& command, std::vector<std::string>& libraries);

// Opens the --load-ops libraries in the runtime, then torchvision's (Debian's
// python3-torchvision) when one of `models` calls torchvision:: operators and no
// given library registered them. Says on stderr which it loaded, or that
// torchvision's is absent (the model then fails to load with LibTorch's error).
// A library that cannot be opened is one error line, exit 2.
void load_operator_libraries(const std::vector<std::string>& given, const std::vector<const ModelReport*>& models);

}  // namespace mtool::cli
