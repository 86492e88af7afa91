// Files that are not regular files: inputs that would block (FIFOs), report
// size 0 while having content (/proc), or are devices; outputs that must never
// be replaced; in-place rewrites that keep what the user set on the file; and
// temporaries left by a run killed outright.
#include <doctest/doctest.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "run_mtool.h"

using namespace mtool::test;

namespace {

namespace fs = std::filesystem;

std::string make_fifo(const std::string& dir) {
  std::string path = dir + "/pipe.pt";
  ::unlink(path.c_str());
  REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
  return path;
}

void check_refused_quickly(const std::vector<std::string>& command, const std::string& expected) {
  CAPTURE(command[0]);
  RunResult result = run_mtool_within(20, command);
  CHECK_FALSE(result.timed_out);
  CHECK(result.exit_code == 2);
  CHECK_MESSAGE(result.err.find(expected) != std::string::npos, result.err);
}

}  // namespace

TEST_SUITE("bad-input") {
  TEST_CASE("a FIFO as input is one line, never a wait for a writer") {
    std::string fifo = make_fifo(scratch_dir("fifo_input"));
    std::string said = fifo + ": is a named pipe (FIFO), not a regular file";
    check_refused_quickly({"inspect", fifo}, said);
    check_refused_quickly({"scan", fifo}, said);
    check_refused_quickly({"convert", fifo, "-o", fifo + ".ptl"}, said);
    check_refused_quickly({"score", "-m", fifo, fixture("score/quality/pristine.jpg")}, said);
    RunResult photo = run_mtool_within(20, {"score", fifo});
    CHECK_FALSE(photo.timed_out);
    CHECK(photo.exit_code == 1);
    CHECK(photo.out.find("is a named pipe (FIFO)") != std::string::npos);
  }

  TEST_CASE("/proc files and devices are not called empty downloads") {
    check_refused_quickly({"inspect", "/proc/self/status"}, "reports a size of 0 but has content");
    check_refused_quickly({"scan", "/proc/self/status"}, "reports a size of 0 but has content");
    check_refused_quickly({"inspect", "/dev/null"}, "is a character device, not a regular file");
  }

  TEST_CASE("an existing output that is not a regular file is refused even with --force") {
    std::string dir = scratch_dir("special_outputs");
    std::string fifo = make_fifo(dir);
    for (const std::string& output : {fifo, std::string("/dev/null")}) {
      check_refused_quickly({"backport", fixture("lite_v8.ptl"), "--to", "7", "--no-verify", "-o", output, "--force"},
                            "mtool replaces only regular files, even with --force");
      check_refused_quickly({"recipe", "set", fixture("traced.pt"), "--resize", "200", "-o", output, "--force"},
                            "mtool replaces only regular files");
    }
    struct stat info {};
    REQUIRE(::stat(fifo.c_str(), &info) == 0);
    CHECK(S_ISFIFO(info.st_mode));
    REQUIRE(::stat("/dev/null", &info) == 0);
    CHECK(S_ISCHR(info.st_mode));
  }
}

TEST_SUITE("cli") {
  TEST_CASE("recipe set in place keeps mode, symlinks and hard links") {
    std::string dir = scratch_dir("recipe_in_place");
    std::string model = dir + "/model.pt";
    fs::copy_file(fixture("traced.pt"), model);
    REQUIRE(::chmod(model.c_str(), 0640) == 0);
    fs::create_hard_link(model, dir + "/hard.pt");
    fs::create_symlink("model.pt", dir + "/link.pt");
    RunResult result = run_mtool({"recipe", "set", dir + "/link.pt", "--resize", "200"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    CHECK(fs::is_symlink(dir + "/link.pt"));
    CHECK(fs::hard_link_count(model) == 2);
    struct stat info {};
    REQUIRE(::stat(model.c_str(), &info) == 0);
    CHECK((info.st_mode & 07777) == 0640);
    RunResult shown = run_mtool({"recipe", "show", dir + "/hard.pt"});
    CHECK(shown.json()["recipe"]["resize"] == 200);
  }

  TEST_CASE("recipe set -o onto an existing file advises a flag recipe set has") {
    std::string dir = scratch_dir("recipe_existing_output");
    std::string out = dir + "/out.pt";
    fs::copy_file(fixture("traced.pt"), out);
    RunResult refused = run_mtool({"recipe", "set", fixture("traced.pt"), "--resize", "200", "-o", out});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("pass --force") != std::string::npos);
    RunResult forced = run_mtool({"recipe", "set", fixture("traced.pt"), "--resize", "200", "-o", out, "--force"});
    CHECK_MESSAGE(forced.exit_code == 0, forced.err);
  }

  TEST_CASE("a temporary left by a killed run is removed by the next run in that folder") {
    std::string dir = scratch_dir("stale_temporaries");
    // A pid that is not running (pid_max is at most 2^22) and one that is (ours).
    std::string stale = dir + "/.out.ptl.mtool-4999999-abcdef";
    std::string live = dir + "/.out.ptl.mtool-" + std::to_string(::getpid()) + "-abcdef";
    write_file(stale, "partial");
    write_file(live, "in progress");
    RunResult result = run_mtool({"recipe", "set", fixture("traced.pt"), "--resize", "200", "-o", dir + "/out.pt"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(live));
  }
}
