#pragma once
// The subcommand table: each subcommand lives in its own file and registers
// its options and callback here. Help and dispatch come from the same table.
#include <CLI/CLI.hpp>

namespace mtool::cli {

// Set by a subcommand's callback; main returns it.
struct RunState {
  int exit_code = 0;
};

struct Command {
  const char* name;
  const char* summary;
  void (*setup)(CLI::App& parent, RunState& state);
};

void setup_inspect(CLI::App& parent, RunState& state);  // inspect_command.cpp
void setup_scan(CLI::App& parent, RunState& state);     // scan_command.cpp
void setup_bench(CLI::App& parent, RunState& state);    // bench_command.cpp
void setup_backport(CLI::App& parent, RunState& state); // backport_command.cpp
void setup_convert(CLI::App& parent, RunState& state);  // convert_command.cpp
void setup_score(CLI::App& parent, RunState& state);    // score_command.cpp
void setup_recipe(CLI::App& parent, RunState& state);   // recipe_command.cpp

inline constexpr Command kCommands[] = {
    {"inspect", "Identify model files and say what they need to load, without running them", setup_inspect},
    {"scan", "Find every pickle in files or folders and flag dangerous globals", setup_scan},
    {"backport", "Rewrite a lite model for an older LibTorch-Lite", setup_backport},
    {"convert", "Turn a TorchScript model into a lite-interpreter model", setup_convert},
    {"score", "Run a model on photos, prepared as it was trained, and say what it sees", setup_score},
    {"recipe", "Show or store the preprocessing a model's photos need", setup_recipe},
    {"bench", "Measure load time, latency and memory of models side by side", setup_bench},
};

}  // namespace mtool::cli
