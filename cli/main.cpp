// mtool: know, fix and measure PyTorch model files for apps.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "inspect/runtime_versions.h"
#include "io/error.h"
#include "terminal.h"

namespace {

std::string version_text() {
  return fmt::format("mtool {} (LibTorch {})", MTOOL_VERSION, mtool::linked_libtorch().version);
}

void print_error(const std::string& message) {
  mtool::cli::Style style = mtool::cli::style_for(stderr);
  std::fprintf(stderr, "%s %s\n", style.red("mtool: error:").c_str(),
               mtool::cli::terminal_safe(message).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mtool::cli;
  CLI::App app("mtool: what a PyTorch model file is, why it will not load, how to make it load.", "mtool");
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.footer(kExitCodeHelp);
  RunState state;
  for (const Command& command : kCommands) command.setup(app, state);

  // `mtool help [COMMAND]`
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for mtool or one of its commands");
  help->add_option("command", help_topic, "Command to explain");
  help->callback([&] {
    if (help_topic.empty()) {
      std::printf("%s", app.help().c_str());
      return;
    }
    for (CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == help_topic) {
        std::printf("%s", sub->help().c_str());
        return;
      }
    }
    throw CLI::ValidationError("help", fmt::format("no command '{}'", help_topic));
  });

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
    print_error(fmt::format("{} (see 'mtool --help')", error.what()));
    return kExitUsage;
  } catch (const mtool::Error& error) {
    print_error(error.what());
    return error.kind() == mtool::ErrorKind::Format ? kExitProblem : kExitUsage;
  } catch (const std::exception& error) {
    print_error(fmt::format("internal error: {}", error.what()));
    return kExitInternal;
  }
}
