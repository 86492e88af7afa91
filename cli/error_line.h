#pragma once
// The one shape of mtool's error lines on stderr: "mtool: error: [PATH: ]MESSAGE",
// the prefix red on a terminal, the rest escaped with terminal_safe: paths and
// messages quote names from files, which must not drive the terminal.
#include <string>

namespace mtool::cli {

void print_error(const std::string& message);
void print_error(const std::string& path, const std::string& message);

}  // namespace mtool::cli
