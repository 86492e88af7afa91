#pragma once
// mtool's exit codes, documented in README.md and `mtool --help`.
namespace mtool::cli {

constexpr int kExitOk = 0;          // everything inspected, nothing wrong found
constexpr int kExitProblem = 1;     // a file is damaged, not a model, or has an error diagnosis
constexpr int kExitUsage = 2;       // bad arguments, or a file could not be read
constexpr int kExitUnknown = 3;     // scan: unknown globals or unscanned parts, nothing dangerous
constexpr int kExitInternal = 70;   // a bug in mtool (please report it)

constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0   every file was read and nothing is wrong\n"
    "  1   a file is damaged, is not a loadable model, or has an error diagnosis\n"
    "  2   usage error, or a file could not be read (missing, a directory, no permission)\n"
    "  3   scan only: unknown globals or parts not scanned, but nothing known to be dangerous\n"
    "  70  internal error in mtool\n";

}  // namespace mtool::cli
