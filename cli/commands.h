#pragma once
// The subcommand table: each subcommand lives in its own file and registers
// its options and callback on the subcommand main creates from its row. Help
// (name and summary in `mtool --help`) and dispatch come from the same table.
#include <CLI/CLI.hpp>

namespace mtool::cli {

// Set by a subcommand's callback; main returns it.
struct RunState {
  int exit_code = 0;
};

struct Command {
  const char* name;
  const char* summary;
  void (*setup)(CLI::App* command, RunState& state);
};

void setup_inspect(CLI::App* command, RunState& state);   // inspect_command.cpp
void setup_scan(CLI::App* command, RunState& state);      // scan_command.cpp
void setup_bench(CLI::App* command, RunState& state);     // bench_command.cpp
void setup_backport(CLI::App* command, RunState& state);  // backport_command.cpp
void setup_convert(CLI::App* command, RunState& state);   // convert_command.cpp
void setup_score(CLI::App* command, RunState& state);     // score_command.cpp
void setup_recipe(CLI::App* command, RunState& state);    // recipe_command.cpp
void setup_explain(CLI::App* command, RunState& state);   // explain_command.cpp

inline constexpr Command kCommands[] = {
    {"inspect", "Identify model files and say what they need to load", setup_inspect},
    {"explain", "Paste the error your app printed: get the cause and the fix", setup_explain},
    {"scan", "Find every pickle in files or folders and flag dangerous globals", setup_scan},
    {"backport", "Rewrite a lite model for an older LibTorch-Lite", setup_backport},
    {"convert", "Turn a TorchScript model into a lite-interpreter model", setup_convert},
    {"score", "Run a model on photos, prepared as it was trained, and say what it sees", setup_score},
    {"recipe", "Show or store the preprocessing a model's photos need", setup_recipe},
    {"bench", "Measure load time, latency and memory of models side by side", setup_bench},
};

}  // namespace mtool::cli
