#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "batch/path_source.h"
#include "batch/recorded_paths.h"
#include "batch/shard.h"
#include "io/error.h"

using namespace mtool;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system's temporary directory, removed at the end of the test.
struct ScratchDir {
  explicit ScratchDir(const std::string& name) : path(fs::temp_directory_path() / ("mtool-unit-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
  void touch(const std::string& relative, const std::string& text = "x") const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative) << text;
  }
  fs::path path;
};

std::vector<std::string> all_paths(PathSourceOptions options, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  PathSource source(std::move(options), in);
  std::vector<std::string> paths;
  while (std::optional<PathItem> item = source.next()) paths.push_back(item->path + (item->error.empty() ? "" : " !"));
  return paths;
}

}  // namespace

TEST_CASE("path_hash is 64-bit FNV-1a (the published test vectors)") {
  CHECK(path_hash("") == 0xcbf29ce484222325ull);
  CHECK(path_hash("a") == 0xaf63dc4c8601ec8cull);
  CHECK(path_hash("foobar") == 0x85944171f73967e8ull);
}

TEST_CASE("--shard K/N is parsed strictly") {
  CHECK(parse_shard("3/8").index == 3);
  CHECK(parse_shard("3/8").count == 8);
  for (const char* bad : {"8/8", "1", "-1/4", "a/b", "1/0", "1/4x", "/4", ""}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_shard(bad), Error);
  }
}

TEST_CASE("shards split any listing into disjoint shares, whatever the order") {
  std::vector<std::string> paths;
  for (int i = 0; i < 1000; ++i) paths.push_back("photos/IMG_" + std::to_string(i) + ".jpg");
  std::set<std::string> seen;
  std::vector<size_t> sizes;
  for (uint64_t k = 0; k < 4; ++k) {
    Shard shard{k, 4};
    size_t size = 0;
    for (const std::string& path : paths) {
      if (!shard.holds(path)) continue;
      CHECK(seen.insert(path).second);
      ++size;
    }
    sizes.push_back(size);
  }
  CHECK(seen.size() == paths.size());
  for (size_t size : sizes) CHECK(size > 200);  // roughly even: 250 expected
  // The same paths in reverse order land in the same shards.
  std::string forward, backward;
  for (const std::string& path : paths) forward += path + "\n";
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) backward += *it + "\n";
  PathSourceOptions options;
  options.files_from = "-";
  options.shard = Shard{1, 4};
  std::vector<std::string> a = all_paths(options, forward), b = all_paths(options, backward);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  CHECK(a.size() == sizes[1]);
}

TEST_CASE("folders are walked in the order of their sorted full paths") {
  ScratchDir dir("walk");
  for (const char* file : {"b/x.pkl", "b.txt", "a.pkl", "b/c/y.pkl", "b-c.pkl"}) dir.touch(file);
  PathSourceOptions options;
  options.arguments = {dir.path.string()};
  std::vector<std::string> expected;
  for (const char* file : {"a.pkl", "b-c.pkl", "b.txt", "b/c/y.pkl", "b/x.pkl"}) expected.push_back((dir.path / file).string());
  CHECK(all_paths(options) == expected);
  options.folder_filter = [](const std::string& path) { return fs::path(path).extension() == ".pkl"; };
  CHECK(all_paths(options).size() == 4);
}

TEST_CASE("lists: newline or NUL separated, a NUL in a line is refused, missing paths reported") {
  PathSourceOptions options;
  options.arguments = {"-"};
  options.report_missing = true;
  CHECK(all_paths(options, "/nonexistent/a\r\n\n/nonexistent/b\n") ==
        std::vector<std::string>{"/nonexistent/a !", "/nonexistent/b !"});
  CHECK_THROWS_WITH_AS(all_paths(options, std::string("/x/a\0/x/b\0", 10)),
                       doctest::Contains("give -0 (--null)"), Error);
  options.separator = '\0';
  CHECK(all_paths(options, std::string("/x/a\n1\0/x/b\0", 12)) == std::vector<std::string>{"/x/a\n1 !", "/x/b !"});
  options.files_from = "-";
  CHECK_THROWS_AS(all_paths(options), Error);  // stdin named twice
  options.arguments.clear();
  options.files_from = "/nonexistent/list.txt";
  CHECK_THROWS_AS(all_paths(options), Error);
}

TEST_CASE("a resumed run skips what was recorded and cuts a cut-off last line and the old summary") {
  ScratchDir dir("resume");
  fs::path out = dir.path / "out.jsonl";
  std::string full = "{\"schema\":\"r/1\",\"path\":\"a\"}\n{\"schema\":\"r/1\",\"path\":\"b\"}\n";
  std::ofstream(out) << full << "{\"schema\":\"s/1\",\"files\":2}\n{\"schema\":\"r/1\",\"pa";
  std::vector<std::string> counted;
  RecordedPaths recorded = RecordedPaths::load(out.string(), "r/1", "s/1", [&](const nlohmann::json& record) {
    counted.push_back(record["path"].get<std::string>());
  });
  CHECK(counted == std::vector<std::string>{"a", "b"});
  CHECK(recorded.contains("a"));
  CHECK_FALSE(recorded.contains("c"));
  CHECK(fs::file_size(out) == full.size());

  PathSourceOptions options;
  options.files_from = "-";
  options.recorded = &recorded;
  std::istringstream in("a\nc\nb\n");
  PathSource source(options, in);
  CHECK(source.next()->path == "c");
  CHECK_FALSE(source.next());
  CHECK(source.skipped_as_recorded() == 2);
}

TEST_CASE("a resume file of another kind is refused and left as it was") {
  ScratchDir dir("resume-other");
  fs::path out = dir.path / "out.jsonl";
  std::ofstream(out) << "{\"schema\":\"other/1\",\"path\":\"a\"}\n";
  auto ignore = [](const nlohmann::json&) {};
  CHECK_THROWS_WITH_AS(RecordedPaths::load(out.string(), "r/1", "s/1", ignore), doctest::Contains("line 1"), Error);
  CHECK(fs::file_size(out) == 32);
  CHECK(RecordedPaths::load((dir.path / "absent.jsonl").string(), "r/1", "s/1", ignore).size() == 0);
}
