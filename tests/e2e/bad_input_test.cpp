// Bad input of every kind ends with one clear line on stderr and a documented
// exit code: never a crash, a hang, an uncaught exception or a backtrace.
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"
#include "zip_builder.h"

using namespace mtool::test;

namespace {

// Fails the test unless mtool rejected the file cleanly.
void check_clean_failure(const std::string& path, int expected_exit, const std::string& expected_text) {
  CAPTURE(path);
  RunResult result = run_mtool({"inspect", path});
  CHECK(result.signal == 0);
  CHECK(result.exit_code == expected_exit);
  CHECK(result.one_error_line());
  CHECK_MESSAGE(result.err.find(expected_text) != std::string::npos, result.err);
  CHECK(result.err.find("terminate") == std::string::npos);
  CHECK(result.seconds < 20);  // a guard against hangs, not a timing: CI machines are shared
  CHECK(result.max_rss_kib - startup_rss_kib() < 16 * 1024);
  RunResult json = run_mtool({"inspect", "--json", path});
  CHECK(json.exit_code == expected_exit);
  CHECK_NOTHROW(json.json());
}

std::string pickle_zip(const std::string& pickle) {
  return make_zip({{"m/data.pkl", pickle}, {"m/version", "3\n"}});
}

}  // namespace

TEST_SUITE("bad-input") {
  TEST_CASE("files that cannot be read exit 2") {
    std::string dir = scratch_dir("unreadable");
    check_clean_failure(dir + "/missing.pt", 2, "No such file or directory");
    check_clean_failure(dir, 2, "is a directory");
  }

  TEST_CASE("every command that takes one model names it when it cannot be read") {
    std::string dir = scratch_dir("unreadable_model");
    std::string missing = dir + "/missing.pt";
    struct Case {
      std::vector<std::string> command;
      std::string expected;
    };
    std::string not_found = missing + ": cannot open: No such file or directory";
    std::vector<Case> cases = {
        {{"score", "-m", missing, fixture("score/quality/pristine.jpg")}, not_found},
        {{"bench", "--runs", "1", missing}, not_found},
        {{"backport", missing, "--to", "5", "-o", dir + "/out.ptl"}, not_found},
        {{"convert", missing, "-o", dir + "/out.ptl"}, not_found},
        {{"recipe", "show", missing}, not_found},
        {{"recipe", "set", missing, "--resize", "224"}, not_found},
        {{"bench", "--runs", "1", dir}, dir + ": is a directory"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.command[0]);
      RunResult result = run_mtool(c.command);
      CHECK(result.exit_code == 2);
      CHECK(result.one_error_line());
      CHECK_MESSAGE(result.err.find(c.expected) != std::string::npos, result.err);
    }
    CHECK_FALSE(std::filesystem::exists(dir + "/out.ptl"));
  }

  TEST_CASE("content that is not a model exits 1") {
    check_clean_failure(fixture("empty.pt"), 1, "empty");
    check_clean_failure(fixture("random.bin"), 1, "unrecognised content");
    check_clean_failure(fixture("lfs_pointer.pt"), 1, "Git LFS pointer");
    check_clean_failure(fixture("error_page.pt"), 1, "404 Not Found");
  }

  TEST_CASE("truncated and damaged archives say what is missing") {
    check_clean_failure(fixture("scripted_truncated.pt"), 1, "central directory not found: the file ends at byte");
    check_clean_failure(fixture("lite_truncated.ptl"), 1, "[truncated]");
    check_clean_failure(fixture("legacy_truncated.pt"), 1, "storages need");
    check_clean_failure(fixture("scripted_bad_crc.pt"), 1, "fails its CRC check");
  }

  TEST_CASE("malformed zips") {
    std::string dir = scratch_dir("zips");
    write_file(dir + "/overlap.pt",
               make_zip({{"m/data.pkl", std::string(100, 'a')}, {"m/data/0", std::string(100, 'b'), false, -1, 10}}));
    check_clean_failure(dir + "/overlap.pt", 1, "overlap");
    write_file(dir + "/absurd.pt", make_zip({{"m/data.pkl", std::string(100, 'a'), true, 1ll << 31}}));
    check_clean_failure(dir + "/absurd.pt", 1, "more than deflate can produce");
    write_file(dir + "/stored_lie.pt", make_zip({{"m/data.pkl", "abc", false, 1ll << 31}}));
    check_clean_failure(dir + "/stored_lie.pt", 1, "declares");
  }

  TEST_CASE("malformed pickles, alone and inside archives") {
    std::string dir = scratch_dir("pickles");
    std::string deep = "\x80\x02N" + std::string(100000, '\x85') + ".";
    std::string huge("\x80\x02X\xff\xff\xff\xff", 7);
    std::string dangling("\x80\x02h\x09.", 5);
    std::string unknown("\x80\x02\xfe.", 4);
    write_file(dir + "/deep.pkl", deep);
    check_clean_failure(dir + "/deep.pkl", 1, "nest deeper than 1000 levels");
    write_file(dir + "/huge.pkl", huge);
    check_clean_failure(dir + "/huge.pkl", 1, "needs 4294967295 bytes");
    write_file(dir + "/dangling.pkl", dangling);
    check_clean_failure(dir + "/dangling.pkl", 1, "memo entry 9 is used before it is stored");
    write_file(dir + "/unknown.pkl", unknown);
    check_clean_failure(dir + "/unknown.pkl", 1, "unknown pickle opcode 0xfe");
    write_file(dir + "/deep_in_zip.pt", pickle_zip(deep));
    check_clean_failure(dir + "/deep_in_zip.pt", 1, "data.pkl: offset");
    write_file(dir + "/dangling_in_zip.pt", pickle_zip(dangling));
    check_clean_failure(dir + "/dangling_in_zip.pt", 1, "memo entry 9");
  }

  TEST_CASE("every prefix of a real archive fails cleanly or succeeds") {
    std::string model = read_file(fixture("lite_v8.ptl"));
    std::string dir = scratch_dir("prefixes");
    for (size_t length = 0; length < model.size(); length += model.size() / 23) {
      std::string path = dir + "/cut_" + std::to_string(length) + ".ptl";
      write_file(path, model.substr(0, length));
      RunResult result = run_mtool({"inspect", path});
      CAPTURE(length);
      CHECK(result.signal == 0);
      CHECK(result.exit_code == 1);
      CHECK(result.one_error_line());
    }
  }
}

TEST_SUITE("bad-input") {
  TEST_CASE("a missing runtime library is one clear line, not a crash") {
    // A copy of the binary with no libmtool_runtime.so beside it.
    std::string dir = scratch_dir("no-runtime");
    std::filesystem::copy_file(MTOOL_BINARY, dir + "/mtool");
    RunResult plain = run_binary(dir + "/mtool", {"inspect", fixture("scripted.pt")});
    CHECK(plain.exit_code == 0);  // inspect never needs it
    RunResult result = run_binary(dir + "/mtool", {"inspect", "--try-load", fixture("scripted.pt")});
    CHECK(result.exit_code == 2);
    CHECK(result.one_error_line());
    CHECK(result.err.find("libmtool_runtime.so was not found") != std::string::npos);
    CHECK(result.err.find("(looked in: " + dir + "/libmtool_runtime.so") != std::string::npos);
    CHECK(result.err.find("cmake --install build --prefix DIR") != std::string::npos);
  }
}
