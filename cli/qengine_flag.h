#pragma once
// --qengine as score and bench take it: LibTorch's quantized engine for the run.
#include <CLI/CLI.hpp>
#include <string>

namespace mtool::cli {

void add_qengine_flag(CLI::App& command, std::string& qengine);

}  // namespace mtool::cli
