// mtool: know, fix and measure PyTorch model files for apps.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>
#include <fmt/format.h>

#include "commands.h"
#include "error_line.h"
#include "exit_codes.h"
#include "inspect/runtime_versions.h"
#include "io/error.h"
#include "text_width.h"

namespace {

// CLI11's help, wrapped to the terminal (descriptions and footers are single
// long lines, 200 to 500 columns); piped help is left as it is.
class WrappingFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    return mtool::cli::wrap_text(CLI::Formatter::make_help(app, std::move(name), mode), mtool::cli::wrap_width(stdout));
  }
};

std::string version_text() {
  return fmt::format("mtool {} (LibTorch {})", MTOOL_VERSION, mtool::linked_libtorch().version);
}

// "mtool backport": the deepest command the parse reached, for "see ... --help".
std::string command_path(CLI::App& app) {
  std::string path = "mtool";
  for (CLI::App* current = &app; !current->get_subcommands().empty();) {
    current = current->get_subcommands().front();
    path += " " + current->get_name();
  }
  return path;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The command a misspelt or shortened first argument most likely meant: one
// it starts (insp -> inspect), else one at most two edits away (scna -> scan).
std::string suggest_command(CLI::App& app, const std::string& typed) {
  std::string closest;
  size_t best = 3;
  for (CLI::App* sub : app.get_subcommands({})) {
    const std::string& name = sub->get_name();
    if (typed.size() >= 2 && name.starts_with(typed)) return name;
    if (size_t distance = edit_distance(typed, name); distance < best) {
      best = distance;
      closest = name;
    }
  }
  return closest;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mtool::cli;
  CLI::App app("mtool: what a PyTorch model file is, why it will not load, how to make it load.", "mtool");
  app.formatter(std::make_shared<WrappingFormatter>());  // before the subcommands, which copy it
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.footer(kExitCodeHelp);
  RunState state;
  for (const Command& command : kCommands) command.setup(app.add_subcommand(command.name, command.summary), state);

  // `mtool help [COMMAND [SUBCOMMAND]]`
  std::vector<std::string> help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for mtool or one of its commands");
  help->add_option("command", help_topic, "Command to explain (e.g. inspect, recipe set)");
  help->callback([&] {
    CLI::App* topic = &app;
    std::string named = "mtool";
    for (const std::string& word : help_topic) {
      CLI::App* found = nullptr;
      for (CLI::App* sub : topic->get_subcommands({})) {
        if (sub->get_name() == word) found = sub;
      }
      if (found == nullptr) throw CLI::ValidationError("help", fmt::format("'{}' has no command '{}'", named, word));
      topic = found;
      named += " " + word;
    }
    std::printf("%s", topic->help().c_str());
  });

  if (argc > 1 && argv[1][0] != '-') {
    std::string typed = argv[1];
    bool known = false;
    for (CLI::App* sub : app.get_subcommands({})) known = known || sub->get_name() == typed;
    if (!known) {
      std::string meant = suggest_command(app, typed);
      print_error(meant.empty() ? fmt::format("'{}' is not an mtool command (see 'mtool --help')", typed)
                                : fmt::format("'{}' is not an mtool command; did you mean 'mtool {}'?", typed, meant));
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
    return state.exit_code;
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    std::printf("%s\n", version_text().c_str());
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    // Subcommand --help also arrives here, as a ParseError with exit code 0.
    if (error.get_exit_code() == 0) return app.exit(error);
    print_error(fmt::format("{} (see '{} --help')", error.what(), command_path(app)));
    return kExitUsage;
  } catch (const mtool::Error& error) {
    print_error(error.what());
    return error.kind() == mtool::ErrorKind::Format ? kExitProblem : kExitUsage;
  } catch (const std::exception& error) {
    print_error(fmt::format("internal error: {}", error.what()));
    return kExitInternal;
  }
}
