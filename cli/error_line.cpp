#include "error_line.h"

#include <cstdio>

#include "terminal.h"

namespace mtool::cli {

void print_error(const std::string& message) {
  std::fprintf(stderr, "%s %s\n", style_for(stderr).red("mtool: error:").c_str(), terminal_safe(message).c_str());
}

// A path is escaped whole (a newline or tab in a file name shows as \xNN), so
// the line stays one line.
void print_error(const std::string& path, const std::string& message) {
  std::fprintf(stderr, "%s %s: %s\n", style_for(stderr).red("mtool: error:").c_str(), escaped_name(path).c_str(),
               terminal_safe(message).c_str());
}

}  // namespace mtool::cli
