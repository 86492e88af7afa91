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

// Each command's --help lists the codes it can give, in the words of its own work; all follow one
// rule: 1 when a file cannot do what was asked, 2 for usage or a file that cannot be read.
constexpr const char* kInspectExitHelp =
    "Exit codes:\n"
    "  0   every file was read and nothing is wrong\n"
    "  1   a file is damaged, is not a loadable model, or has an error diagnosis\n"
    "  2   usage error, or a file could not be read (missing, a directory, no permission)\n"
    "  70  internal error in mtool\n";

constexpr const char* kBenchExitHelp =
    "Exit codes:\n"
    "  0   every model was measured\n"
    "  1   a model could not be loaded or run (its error on stderr), or is not a model bench can run\n"
    "  2   usage error, or a file could not be read\n"
    "  70  internal error in mtool\n";

constexpr const char* kWriteExitHelp =
    "Exit codes:\n"
    "  0   written and verified, or nothing to do (said on stderr, nothing written)\n"
    "  1   this model cannot be written so (its kind, its version), or the output failed verification;\n"
    "      nothing is written\n"
    "  2   usage error (a target no model reaches, an existing output without --force), or a file\n"
    "      could not be read or written\n"
    "  70  internal error in mtool\n";

constexpr const char* kScoreExitHelp =
    "Exit codes:\n"
    "  0   every photo was scored\n"
    "  1   some photo failed (its own line says why), or the model cannot run or take photos\n"
    "  2   usage error, or the model or a path could not be read\n"
    "  70  internal error in mtool\n";

constexpr const char* kRecipeExitHelp =
    "Exit codes:\n"
    "  0   the recipe was shown or written\n"
    "  1   not a model score and bench run (damaged, or another kind of file), or for\n"
    "      set, not a zip archive a recipe can be stored in\n"
    "  2   usage error, or a file could not be read or written\n"
    "  70  internal error in mtool\n";

}  // namespace mtool::cli
