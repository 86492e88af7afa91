#include <doctest/doctest.h>

#include "run_mtool.h"

using namespace mtool::test;

TEST_SUITE("cli") {
  TEST_CASE("--version names mtool and the LibTorch it links") {
    RunResult result = run_mtool({"--version"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("mtool 0.", 0) == 0);
    CHECK(result.out.find("(LibTorch 1.13") != std::string::npos);
  }

  TEST_CASE("--help lists the commands and the exit codes") {
    RunResult result = run_mtool({"--help"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("inspect") != std::string::npos);
    CHECK(result.out.find("Exit codes:") != std::string::npos);
    CHECK(result.err.empty());
  }

  TEST_CASE("help inspect and inspect --help show the command's options") {
    for (auto args : {std::vector<std::string>{"help", "inspect"}, std::vector<std::string>{"inspect", "--help"}}) {
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == 0);
      CHECK(result.out.find("--runtime") != std::string::npos);
      CHECK(result.out.find("--json") != std::string::npos);
    }
  }

  TEST_CASE("usage errors exit 2 with one line") {
    for (auto args : {std::vector<std::string>{}, std::vector<std::string>{"frobnicate"},
                      std::vector<std::string>{"inspect"}, std::vector<std::string>{"inspect", "--bogus", "x"},
                      std::vector<std::string>{"inspect", "--runtime", "0.1", fixture("scripted.pt")},
                      std::vector<std::string>{"help", "nothing"}}) {
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == 2);
      CHECK(result.one_error_line());
      CHECK(result.out.empty());
    }
  }

  TEST_CASE("a Core ML package folder is named; other folders are not model files") {
    std::string package = scratch_dir("Model.mlpackage");
    write_file(package + "/Manifest.json",
               R"({"fileFormatVersion": "1.0.0", "itemInfoEntries": {"1": {"author": "com.apple.CoreML", "path": "model.mlmodel"}}})");
    RunResult result = run_mtool({"inspect", "--json", package});
    CHECK(result.exit_code == 1);
    CHECK(result.json()["format"] == "coreml");
    // Its root item (model.mlmodel) is not there.
    CHECK(result.err.find("coreml-manifest-root-missing") != std::string::npos);
  }

  TEST_CASE("colour only on a terminal") {
    RunResult result = run_mtool({"inspect", fixture("state_dict.pt")});
    CHECK(result.out.find('\033') == std::string::npos);
    CHECK(result.err.find('\033') == std::string::npos);
  }
}
