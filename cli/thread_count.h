#pragma once
// --threads as score and bench take it.
#include <string>

namespace CLI {
class App;
}

namespace mtool::cli {

// Registers --threads N (1 to 1024) on `command`, described by `help`.
void add_threads_option(CLI::App& command, int& threads, const std::string& help);

// Prints one warning on stderr when `threads` is above the cores this
// process may use: 1024 threads on 2 cores made 2 photos take 25 s.
void warn_if_more_threads_than_cores(int threads);

}  // namespace mtool::cli
