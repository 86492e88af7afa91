// Inputs that once crashed a fuzz target (tests/fuzz/regressions/), replayed
// through the real binary: each must end in a clean answer or a clean error.
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

TEST_SUITE("bad-input") {
  TEST_CASE("fuzzer-found inputs stay fixed") {
    fs::path dir = fs::path(MTOOL_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
    size_t replayed = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
      CAPTURE(entry.path().string());
      for (auto args : {std::vector<std::string>{"inspect", "--tree", entry.path().string()},
                        std::vector<std::string>{"inspect", "--json", "--all", entry.path().string()},
                        std::vector<std::string>{"scan", entry.path().string()}}) {
        RunResult result = run_mtool(args);
        CHECK(result.signal == 0);
        CHECK(result.exit_code >= 0);
        CHECK(result.exit_code <= 3);
        CHECK(result.seconds < 20);  // a guard against hangs, not a timing: CI machines are shared
      }
      ++replayed;
    }
    MESSAGE("fuzz regressions replayed: " << replayed);
    CHECK(replayed >= 1);
  }

  TEST_CASE("safetensors headers with values of the wrong type are damaged files, not internal errors") {
    fs::path dir = fs::path(MTOOL_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
    for (const char* name : {"seed-safetensors-offsets-not-numbers", "seed-safetensors-shape-overflow",
                             "seed-safetensors-shape-negative-float", "seed-safetensors-dtype-not-string",
                             "seed-safetensors-offsets-outside-data"}) {
      CAPTURE(name);
      std::string path = (dir / name).string();
      RunResult result = run_mtool({"inspect", path});
      CHECK(result.exit_code == 1);
      CHECK(result.err.find(std::string(name) + ": The file is damaged: tensor 'w'") != std::string::npos);
      CHECK(result.err.find("internal error") == std::string::npos);
    }
  }
}
