// scan and score split over jobs (docs/scale.md): shards that cat back into
// one run, resumption after a SIGKILL, NUL-separated lists, errors as records.
#include <doctest/doctest.h>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Split {
  std::multiset<std::string> records;  // per-file records, without what varies between runs
  std::vector<json> summaries;
};

// Timings differ from run to run; everything else in a record must be equal.
Split split_lines(const std::vector<json>& lines) {
  Split split;
  for (json line : lines) {
    std::string schema = line.value("schema", "");
    if (schema.find("-summary/") != std::string::npos) {
      split.summaries.push_back(line);
      continue;
    }
    line.erase("timings_ms");
    split.records.insert(line.dump());
  }
  return split;
}

Split split_file(const std::string& path) {
  RunResult as_lines;
  as_lines.out = read_file(path);
  return split_lines(as_lines.json_lines());
}

uint64_t summed(const std::vector<json>& summaries, const char* key) {
  uint64_t total = 0;
  for (const json& summary : summaries) total += summary[key].get<uint64_t>();
  return total;
}

std::string photos() { return fixture("score/photos"); }
std::string photo_path(const std::string& name) { return photos() + "/" + name; }
std::string mean_red() { return fixture("score/mean_red.pt"); }

// `count` distinct small files: PyTorch's own pickles from the fixtures, copied under new names.
std::string many_files(const std::string& name, int count) {
  std::string dir = scratch_dir(name);
  const std::vector<std::string> sources = {"plain.pkl", "malicious_checkpoint.pt", "checkpoint.pth"};
  for (int i = 0; i < count; ++i) {
    fs::copy_file(fixture(sources[i % sources.size()]), fmt::format("{}/f{:05d}.bin", dir, i));
  }
  return dir;
}

}  // namespace

TEST_SUITE("scale") {
  TEST_CASE("scan: the shards of the fixtures, concatenated, are the unsharded run") {
    RunResult whole = run_mtool({"scan", "--json", fixture("")});
    Split expected = split_lines(whole.json_lines());
    REQUIRE(expected.records.size() > 20);
    std::string merged;
    for (int k = 0; k < 3; ++k) {
      RunResult shard = run_mtool({"scan", "--json", "--shard", fmt::format("{}/3", k), fixture("")});
      merged += shard.out;
    }
    RunResult cat;
    cat.out = merged;
    Split got = split_lines(cat.json_lines());
    CHECK(got.records == expected.records);
    REQUIRE(got.summaries.size() == 3);
    for (const char* key : {"files", "safe", "unknown", "dangerous", "incomplete", "unreadable"}) {
      CAPTURE(key);
      CHECK(summed(got.summaries, key) == expected.summaries.at(0)[key].get<uint64_t>());
    }
    CHECK(got.summaries[2]["shard"] == "2/3");
  }

  TEST_CASE("scan: a job killed part way resumes with only the rest, and the file equals one run") {
    std::string dir = many_files("scale-kill", 3000);
    std::string out = scratch_dir("scale-kill-out") + "/shard.jsonl";
    RunResult killed = run_mtool_within(0.4, {"scan", "--resume", out, dir});
    RunResult resumed = run_mtool({"scan", "--resume", out, dir});
    RunResult whole = run_mtool({"scan", "--json", dir});
    CHECK(resumed.exit_code == 1);  // the malicious copies
    Split got = split_file(out), expected = split_lines(whole.json_lines());
    CHECK(got.records == expected.records);
    REQUIRE(got.summaries.size() == 1);
    CHECK(got.summaries[0]["files"] == 3000);
    CHECK(got.summaries[0]["dangerous"] == 1000);
    if (killed.signal != 0) CHECK(got.summaries[0]["resumed"].get<int>() < 3000);
    // A finished shard run again does nothing and keeps one summary.
    run_mtool({"scan", "--resume", out, dir});
    Split again = split_file(out);
    CHECK(again.records == expected.records);
    CHECK(again.summaries.size() == 1);
    CHECK(again.summaries[0]["resumed"] == 3000);
  }

  TEST_CASE("scan: the --resume file inside the scanned folder is not scanned itself") {
    std::string dir = many_files("scale-own-output", 3);
    RunResult first = run_mtool({"scan", "--resume", dir + "/out.jsonl", dir});
    RunResult second = run_mtool({"scan", "--resume", dir + "/out.jsonl", dir});
    Split got = split_file(dir + "/out.jsonl");
    CHECK(got.records.size() == 3);
    CHECK(got.summaries.at(0)["files"] == 3);
  }

  TEST_CASE("scan: an unreadable path is a record in the stream, and the shard goes on") {
    RunResult result = run_mtool({"scan", "--json", "/nonexistent/model.pt", fixture("plain.pkl")});
    CHECK(result.exit_code == 2);
    std::vector<json> lines = result.json_lines();
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["status"] == "unreadable");
    CHECK(lines[0]["path"] == "/nonexistent/model.pt");
    CHECK(lines[0]["error"].get<std::string>().size() > 5);
    CHECK(lines[1]["status"] == "safe");
    CHECK(lines[2]["unreadable"] == 1);
    CHECK(lines[2]["files"] == 2);
  }

  TEST_CASE("a --resume file of another command is refused and left as it was") {
    std::string out = scratch_dir("scale-wrong-resume") + "/score.jsonl";
    run_mtool({"score", "-m", mean_red(), "--resume", out, photos() + "/photo.png"});
    std::string before = read_file(out);
    RunResult scan = run_mtool({"scan", "--resume", out, fixture("plain.pkl")});
    CHECK(scan.exit_code == 2);
    CHECK(scan.one_error_line());
    CHECK(read_file(out) == before);
  }

  TEST_CASE("score: NUL-separated paths need -0, and with it every photo is scored") {
    std::string list = "find '" + photos() + "' -name '*.*' -not -name '*.txt' -print0";
    RunResult without = run_shell(list + " | \"$MTOOL\" score --json -m '" + mean_red() + "' -");
    CHECK(without.exit_code == 2);
    CHECK(without.err.find("-0 (--null)") != std::string::npos);
    CHECK(without.out.empty());
    RunResult with = run_shell(list + " | \"$MTOOL\" score --json -0 -m '" + mean_red() + "' -");
    CHECK(with.exit_code == 0);
    CHECK(with.json_lines().size() == 9);
    RunResult files_from = run_shell(list + " | \"$MTOOL\" score --json --null --files-from - -m '" + mean_red() + "'");
    CHECK(split_lines(files_from.json_lines()).records == split_lines(with.json_lines()).records);
  }

  TEST_CASE("score: shards concatenated equal one run, each ending with its summary") {
    Split expected = split_lines(run_mtool({"score", "--json", "-m", mean_red(), photos(), "/nonexistent.jpg"}).json_lines());
    std::string merged;
    for (int k = 0; k < 2; ++k) {
      RunResult shard = run_mtool({"score", "--json", "-m", mean_red(), "--shard", fmt::format("{}/2", k), photos(),
                                   "/nonexistent.jpg"});
      std::vector<json> lines = shard.json_lines();
      REQUIRE(!lines.empty());
      CHECK(lines.back()["schema"] == "mtool.score-summary/1");
      merged += shard.out;
    }
    RunResult cat;
    cat.out = merged;
    Split got = split_lines(cat.json_lines());
    CHECK(got.records == expected.records);
    CHECK(summed(got.summaries, "images") == 10);
    CHECK(summed(got.summaries, "failed") == 1);
  }

  TEST_CASE("score: a list longer than one runtime chunk (512) is scored whole, saved inputs numbered on") {
    std::string dir = scratch_dir("scale-chunks");
    std::string list;
    for (int i = 0; i < 600; ++i) list += photo_path(i % 2 == 0 ? "grey.png" : "photo.png") + "\n";
    write_file(dir + "/list.txt", list);
    RunResult result = run_mtool({"score", "--json", "-m", mean_red(), "--files-from", dir + "/list.txt",
                                  "--save-inputs", dir + "/inputs", "--shard", "0/1"});
    CHECK(result.exit_code == 0);
    std::vector<json> lines = result.json_lines();
    REQUIRE(lines.size() == 601);
    CHECK(lines[599]["path"] == photo_path("photo.png"));
    CHECK(lines[600]["images"] == 600);
    CHECK(fs::exists(dir + "/inputs/000599.pt"));
    CHECK_FALSE(fs::exists(dir + "/inputs/000600.pt"));
  }

  TEST_CASE("score: --resume after a cut-off record scores only the rest") {
    std::string out = scratch_dir("scale-score-resume") + "/photos.jsonl";
    RunResult whole = run_mtool({"score", "--json", "-m", mean_red(), photos()});
    std::vector<json> lines = whole.json_lines();
    write_file(out, lines[0].dump() + "\n" + lines[1].dump() + "\n" + lines[2].dump().substr(0, 40));
    RunResult resumed = run_mtool({"score", "-m", mean_red(), "--resume", out, photos()});
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.out.empty());
    Split got = split_file(out);
    CHECK(got.records == split_lines(lines).records);
    REQUIRE(got.summaries.size() == 1);
    CHECK(got.summaries[0]["resumed"] == 2);
    CHECK(got.summaries[0]["images"] == 9);
  }
}
