// Every mtool command a diagnosis suggests runs as printed, on the file it was
// printed for: pasted into a shell (paths with a space and a quote), it exits 0.
#include <doctest/doctest.h>
#include <filesystem>
#include <set>

#include "run_mtool.h"

using namespace mtool::test;

namespace {

namespace fs = std::filesystem;

// The `mtool ...` commands in backticks inside the fix lines of inspect --json.
std::set<std::string> suggested_commands(const nlohmann::json& report) {
  std::set<std::string> commands;
  for (const auto& diagnosis : report["diagnoses"]) {
    std::string fix = diagnosis.value("fix", "");
    for (size_t open = fix.find('`'); open != std::string::npos; open = fix.find('`', open + 1)) {
      size_t close = fix.find('`', open + 1);
      if (close == std::string::npos) break;
      std::string command = fix.substr(open + 1, close - open - 1);
      if (command.starts_with("mtool ")) commands.insert(command);
      open = close;
    }
  }
  return commands;
}

}  // namespace

TEST_SUITE("backport") {
  TEST_CASE("each command a fix line suggests runs as printed") {
    struct Case {
      std::string fixture;
      std::string runtime;  // "" for none
    };
    int ran = 0;
    for (const Case& c : {Case{"lite_v8.ptl", "1.10"}, Case{"lite_v8.ptl", "1.9"}, Case{"lite_flatbuffer.ptl", "1.11"},
                          Case{"lite_flatbuffer.ptl", "1.10"}, Case{"scripted.pt", ""}, Case{"scripted.pt", "1.10"},
                          Case{"traced.pt", "1.11"}}) {
      CAPTURE(c.fixture);
      CAPTURE(c.runtime);
      std::string dir = scratch_dir("suggested_" + c.fixture + "_" + c.runtime);
      std::string model = dir + "/it's a model" + fs::path(c.fixture).extension().string();
      fs::copy_file(fixture(c.fixture), model, fs::copy_options::overwrite_existing);
      std::vector<std::string> args = {"inspect", "--json", model};
      if (!c.runtime.empty()) args.insert(args.begin() + 1, {"--runtime", c.runtime});
      std::set<std::string> commands = suggested_commands(run_mtool(args).json());
      CHECK_FALSE(commands.empty());
      for (const std::string& command : commands) {
        CAPTURE(command);
        RunResult result = run_shell("cd '" + dir + "' && \"$MTOOL\" " + command.substr(6));
        CHECK_MESSAGE(result.exit_code == 0, result.err);
        ++ran;
      }
    }
    CHECK(ran >= 6);
  }
}
