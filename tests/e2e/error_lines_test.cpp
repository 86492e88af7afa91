// One shape for every error line, one message per flag, and the exit code the
// README gives each kind of failure (2 for usage and I/O, 1 for the model's).
#include <doctest/doctest.h>

#include <filesystem>
#include <sys/mount.h>
#include <unistd.h>

#include "run_mtool.h"

using namespace mtool::test;

TEST_SUITE("cli") {
  TEST_CASE("--runtime with an unknown release: one message whichever command took it") {
    std::string dir = scratch_dir("runtime-flag");
    std::vector<std::vector<std::string>> commands = {
        {"inspect", fixture("lite_v8.ptl"), "--runtime", "9.9"},
        {"backport", fixture("lite_v8.ptl"), "--runtime", "9.9", "-o", dir + "/b.ptl"},
        {"convert", fixture("scripted.pt"), "--runtime", "9.9", "-o", dir + "/c.ptl"}};
    for (const auto& args : commands) {
      CAPTURE(args[0]);
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == 2);
      CHECK(result.one_error_line());
      CHECK(result.err.find("mtool: error: --runtime 9.9: unknown release (known: 1.6, ") == 0);
      CHECK(result.out.empty());
    }
    CHECK(std::filesystem::is_empty(dir));
  }

  TEST_CASE("error lines escape what the path or message holds") {
    std::string clear_screen = "\x1b[2J";
    for (const char* command : {"inspect", "scan", "bench", "backport"}) {
      CAPTURE(command);
      std::vector<std::string> args = {command, "/nonexistent" + clear_screen + ".ptl"};
      if (args[0] == "backport") args.insert(args.end(), {"--to", "6"});
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == 2);
      CHECK(result.one_error_line());
      CHECK(result.err.find('\x1b') == std::string::npos);
      CHECK(result.err.find("/nonexistent\\x1b[2J.ptl") != std::string::npos);
    }
  }

  // ESC [1m looks like one of mtool's own colour codes, which inspect's renderer lets through;
  // in a file name it is the file's, and is escaped wherever the name is printed.
  TEST_CASE("a name holding an escape sequence is escaped in inspect's header") {
    std::string dir = scratch_dir("escape-names");
    std::string bold = "\x1b[1m";
    std::string model = dir + "/m" + bold + ".pt";
    std::filesystem::copy_file(fixture("scripted.pt"), model, std::filesystem::copy_options::overwrite_existing);
    RunResult inspected = run_mtool({"inspect", model});
    REQUIRE(inspected.exit_code == 0);
    CHECK(inspected.out.find('\x1b') == std::string::npos);
    CHECK(inspected.out.starts_with(dir + "/m\\x1b[1m.pt\n"));
  }
}

TEST_SUITE("backport") {
  // A 16 KiB tmpfs holds the temporary's name but not the model: LibTorch's
  // write fails half-way. Needs root (mount); skipped with a message otherwise.
  TEST_CASE("a full disk is an I/O error (exit 2) with nothing left behind") {
    std::string dir = scratch_dir("full-disk");
    if (geteuid() != 0 || mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=16k") != 0) {
      MESSAGE("skipped: mounting a small tmpfs needs root");
      return;
    }
    std::vector<std::vector<std::string>> commands = {
        {"backport", fixture("lite_v8.ptl"), "--to", "6", "-o", dir + "/b.ptl", "--no-verify"},
        {"convert", fixture("scripted.pt"), "-o", dir + "/c.ptl", "--no-verify"}};
    for (const auto& args : commands) {
      CAPTURE(args[0]);
      RunResult result = run_mtool(args);
      CHECK(result.signal == 0);
      CHECK(result.exit_code == 2);
      CHECK(result.one_error_line());
      CHECK(result.err.find("No space left on device") != std::string::npos);
      CHECK(std::filesystem::is_empty(dir));
    }
    umount(dir.c_str());
  }
}
