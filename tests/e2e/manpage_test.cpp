// mtool(1) and the shell completions against the binary's own --help: every
// command and every flag it has is in them, and the page's exit codes are the
// README's.
#include <doctest/doctest.h>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

std::string shell_docs(const std::string& name) { return std::string(MTOOL_SHELL_DOCS_DIR) + "/" + name; }

// The page's text with roff's escaped hyphens plain.
std::string man_text() {
  std::string page = read_file(shell_docs("mtool.1"));
  return std::regex_replace(page, std::regex(R"(\\-)"), "-");
}

std::string help_of(std::vector<std::string> words) {
  words.push_back("--help");
  return run_mtool(words).out;
}

std::vector<std::string> subcommands(const std::vector<std::string>& words) {
  std::string help = help_of(words);
  std::vector<std::string> names;
  size_t at = help.find("\nSubcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at + 14));
  std::string line;
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::string name = line.substr(2, line.find(' ', 2) - 2);
    if (name != "help") names.push_back(name);
  }
  return names;
}

// "-m,--model" -> -m and --model.
void add_names(const std::string& names, std::set<std::string>& flags) {
  for (size_t start = 0; start < names.size();) {
    size_t comma = names.find(',', start);
    flags.insert(names.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? names.size() : comma + 1;
  }
}

// The flags that start the lines beginning with `lead` and a hyphen: help's option
// lines ("  -m,--model MODEL   ...") or the page's entries (".B -m,--model MODEL").
std::set<std::string> flags_in(const std::string& text, const std::string& lead) {
  std::set<std::string> flags;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(lead + "-", 0) != 0) continue;
    add_names(line.substr(lead.size(), line.find(' ', lead.size()) - lead.size()), flags);
  }
  return flags;
}

std::set<std::string> flags_of(const std::vector<std::string>& words) { return flags_in(help_of(words), "  "); }

std::vector<std::vector<std::string>> every_command() {
  std::vector<std::vector<std::string>> found;
  for (const std::string& name : subcommands({})) {
    found.push_back({name});
    for (const std::string& inner : subcommands({name})) found.push_back({name, inner});
  }
  return found;
}

}  // namespace

TEST_SUITE("packaging") {
  TEST_CASE("mtool(1) has every command and flag --help lists, the exit codes and examples") {
    REQUIRE(fs::exists(shell_docs("mtool.1")));
    std::string page = man_text();
    std::set<std::string> documented = flags_in(page, ".B ");
    std::vector<std::vector<std::string>> commands = every_command();
    REQUIRE(commands.size() >= 9);  // inspect scan backport convert score recipe (show, set) bench
    for (const std::vector<std::string>& words : commands) {
      std::string usage = "mtool";
      for (const std::string& word : words) usage += " " + word;
      CAPTURE(usage);
      CHECK(page.find(".SS \"" + usage + " ") != std::string::npos);
      for (const std::string& flag : flags_of(words)) {
        CAPTURE(flag);
        CHECK(documented.count(flag) == 1);
      }
    }
    for (const char* code : {"0", "1", "2", "3", "70"}) CHECK(page.find(".TP\n.B " + std::string(code) + "\n") != std::string::npos);
    CHECK(page.find(".SH EXAMPLES") != std::string::npos);
    CHECK(page.find("mtool score photos/") != std::string::npos);
  }

  TEST_CASE("mtool(1) renders without groff warnings") {
    RunResult result = run_shell("groff -ww -man -z '" + shell_docs("mtool.1") + "' 2>&1");
    CHECK(result.exit_code == 0);
    CHECK(result.out.empty());
  }

  TEST_CASE("bash completion offers commands and each command's flags") {
    std::string source = "source '" + shell_docs("mtool.bash") + "'; ";
    RunResult commands = run_shell("bash -c \"" + source + "COMP_WORDS=(mtool sc); COMP_CWORD=1; _mtool; echo \\${COMPREPLY[*]}\"");
    CHECK(commands.out == "scan score\n");
    RunResult flags = run_shell("bash -c \"" + source + "COMP_WORDS=(mtool score --sh); COMP_CWORD=2; _mtool; echo \\${COMPREPLY[*]}\"");
    CHECK((flags.out == "--shard --show-recipe\n" || flags.out == "--show-recipe --shard\n"));
    RunResult nested = run_shell("bash -c \"" + source + "COMP_WORDS=(mtool recipe set -); COMP_CWORD=3; _mtool; echo \\${COMPREPLY[*]}\"");
    CHECK(nested.out.find("--labels") != std::string::npos);
    CHECK(nested.out.find("--json") == std::string::npos);  // recipe set has none
  }

  TEST_CASE("zsh and fish completions parse, and name every command") {
    for (const char* file : {"_mtool", "mtool.fish"}) {
      std::string text = read_file(shell_docs(file));
      for (const char* command : {"inspect", "scan", "backport", "convert", "score", "recipe", "bench"}) {
        CAPTURE(file);
        CHECK(text.find(command) != std::string::npos);
      }
    }
    if (std::system("command -v zsh >/dev/null") == 0) CHECK(run_shell("zsh -n '" + shell_docs("_mtool") + "'").exit_code == 0);
    if (std::system("command -v fish >/dev/null") == 0) {
      CHECK(run_shell("fish --no-execute '" + shell_docs("mtool.fish") + "'").exit_code == 0);
    }
  }
}
