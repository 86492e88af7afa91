// The corruption sweep: every fixture (models, archives, pickles, photos)
// truncated at many offsets and with seeded random byte flips, through
// inspect, scan, backport and score. Each run must end in a clean answer or a
// clean error: no crash, no hang, no internal error, no partial file.
#include <doctest/doctest.h>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

// Hang guards, not speed limits. A run that loads LibTorch first maps about
// 500 MB of libraries: on a shared machine whose page cache was emptied that
// alone took over 10 s (CI killed a backport that needs 1 s here), so those
// runs get a minute.
constexpr double kTimeLimitSeconds = 15.0;
constexpr double kRuntimeTimeLimitSeconds = 60.0;

struct Variant {
  std::string path;
  std::string how;  // "truncated at 123", "4 bytes flipped (seed 7)"
};

std::vector<fs::path> all_fixtures() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(MTOOL_FIXTURE_DIR)) {
    if (entry.is_regular_file() && entry.path().filename() != "expected.json" && entry.file_size() > 0) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// MTOOL_CORRUPTION_SHARE=N runs one variant in N of each file (which ones
// rotates with the file, so every kind of damage still meets every format):
// the sanitizer pass of scripts/test.sh sets 4, as each run there costs ten
// times as much (the sweep took 16 of CI's 90 minutes there in full).
size_t share() {
  static const size_t n = [] {
    const char* value = std::getenv("MTOOL_CORRUPTION_SHARE");
    return value != nullptr && std::atoi(value) > 1 ? static_cast<size_t>(std::atoi(value)) : size_t{1};
  }();
  return n;
}

// Truncations at the edges, at powers of two and at every eighth of the file;
// byte flips near the start (headers), near the end (zip directories) and anywhere.
std::vector<Variant> corrupt(const fs::path& original, const std::string& dir, size_t flips) {
  std::string bytes = read_file(original.string());
  std::vector<size_t> cuts = {0, 1, 2, 4, 16, 64, 512, bytes.size() - 1};
  for (size_t eighth = 1; eighth < 8; ++eighth) cuts.push_back(bytes.size() * eighth / 8);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<Variant> variants;
  // Every variant is drawn, so each has the same bytes whatever the share; only the share is written.
  size_t index = std::hash<std::string>{}(original.filename().string()) % share();
  auto add = [&](const std::string& path, const std::string& content, std::string how) {
    if (index++ % share() != 0) return;
    write_file(path, content);
    variants.push_back({path, std::move(how)});
  };
  std::string stem = dir + "/" + original.filename().string();
  for (size_t cut : cuts) {
    if (cut >= bytes.size()) continue;
    add(stem + ".cut" + std::to_string(cut) + original.extension().string(), bytes.substr(0, cut),
        "truncated at " + std::to_string(cut));
  }
  std::mt19937_64 random(std::hash<std::string>{}(original.filename().string()));
  for (size_t i = 0; i < flips; ++i) {
    std::string damaged = bytes;
    size_t count = 1 + i % 4;
    for (size_t k = 0; k < count; ++k) {
      size_t region = i % 3;  // start, end, anywhere
      size_t span = std::min<size_t>(damaged.size(), 4096);
      size_t offset = random() % (region == 2 ? damaged.size() : span);
      if (region == 1) offset = damaged.size() - 1 - offset;
      damaged[offset] = static_cast<char>(damaged[offset] ^ static_cast<char>(1 + random() % 255));
    }
    add(stem + ".flip" + std::to_string(i) + original.extension().string(), damaged,
        std::to_string(count) + " bytes flipped (variant " + std::to_string(i) + ")");
  }
  return variants;
}

bool is_lite(const fs::path& path) { return path.extension() == ".ptl"; }
bool is_model(const fs::path& path) { return path.extension() == ".pt" || path.extension() == ".ptl"; }
bool is_photo(const fs::path& path) {
  for (const char* extension : {".jpg", ".png", ".webp", ".tiff", ".gif", ".ppm"}) {
    if (path.extension() == extension) return true;
  }
  return false;
}

// A clean ending: an exit code mtool documents, within the time limit, and
// nothing on stderr that only a crash or a bug would print.
void check_clean(const RunResult& result, const std::string& what) {
  CAPTURE(what);
  CAPTURE(result.err.substr(0, 400));
  CHECK_FALSE(result.timed_out);
  CHECK(result.signal == 0);
  CHECK(result.exit_code >= 0);
  CHECK(result.exit_code <= 3);
  for (const char* marker : {"terminate called", "internal error", "Traceback", "Sanitizer", "Segmentation", "Aborted"}) {
    CHECK_MESSAGE(result.err.find(marker) == std::string::npos, marker);
  }
}

void check_no_stray_files(const std::string& dir, const std::vector<std::string>& allowed) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    CHECK_MESSAGE(std::find(allowed.begin(), allowed.end(), name) != allowed.end(), "left behind: " << name);
  }
}

}  // namespace

TEST_SUITE("corruption") {
  TEST_CASE("inspect and scan end cleanly on every truncated or flipped fixture") {
    std::string dir = scratch_dir("corruption-inspect");
    size_t runs = 0;
    for (const fs::path& original : all_fixtures()) {
      for (const Variant& variant : corrupt(original, dir, 12)) {
        std::string what = original.filename().string() + ", " + variant.how;
        check_clean(run_mtool_within(kTimeLimitSeconds, {"inspect", variant.path}), "inspect " + what);
        check_clean(run_mtool_within(kTimeLimitSeconds, {"inspect", "--json", "--all", variant.path}), "inspect --json " + what);
        check_clean(run_mtool_within(kTimeLimitSeconds, {"scan", variant.path}), "scan " + what);
        runs += 3;
        fs::remove(variant.path);
      }
    }
    MESSAGE(runs << " runs");
    CHECK(runs > 1000 / share());
  }

  TEST_CASE("ExecuTorch and TFLite files end cleanly when truncated or flipped") {
    std::vector<fs::path> originals;
    for (const char* folder : {"executorch", "other_formats"}) {
      fs::path dir = fs::path(MTOOL_CORPUS_DIR) / folder;
      if (!fs::is_directory(dir)) continue;
      for (const auto& entry : fs::directory_iterator(dir)) {
        std::string extension = entry.path().extension().string();
        if (extension == ".pte" || extension == ".ptd" || extension == ".tflite") originals.push_back(entry.path());
      }
    }
    if (originals.empty()) {
      MESSAGE("skipped: no ExecuTorch or TFLite files in " << MTOOL_CORPUS_DIR);
      return;
    }
    std::sort(originals.begin(), originals.end());
    std::string dir = scratch_dir("corruption-flatbuffers");
    size_t runs = 0;
    for (const fs::path& original : originals) {
      for (const Variant& variant : corrupt(original, dir, 40)) {
        std::string what = original.filename().string() + ", " + variant.how;
        check_clean(run_mtool_within(kTimeLimitSeconds, {"inspect", "--json", "--all", variant.path}), "inspect " + what);
        check_clean(run_mtool_within(kTimeLimitSeconds, {"inspect", "--selected-ops-yaml", variant.path}),
                    "--selected-ops-yaml " + what);
        runs += 2;
        fs::remove(variant.path);
      }
    }
    MESSAGE(runs << " runs");
    CHECK(runs > 500 / share());
  }
}

TEST_SUITE("corruption") {
  // Folders: each file of every Core ML package fixture (Manifest.json, the
  // specification, weight.bin) is damaged in place in a copy of the package.
  TEST_CASE("inspect ends cleanly on Core ML packages with any one file damaged") {
    std::vector<fs::path> packages;
    for (const auto& entry : fs::recursive_directory_iterator(MTOOL_FIXTURE_DIR)) {
      if (entry.is_directory() && entry.path().extension() == ".mlpackage") packages.push_back(entry.path());
    }
    REQUIRE_FALSE(packages.empty());
    std::string dir = scratch_dir("corruption-packages");
    size_t runs = 0;
    for (const fs::path& package : packages) {
      std::vector<fs::path> members;
      for (const auto& entry : fs::recursive_directory_iterator(package)) {
        if (entry.is_regular_file() && entry.file_size() > 0) members.push_back(fs::relative(entry.path(), package));
      }
      for (const fs::path& member : members) {
        for (const Variant& variant : corrupt(package / member, dir, 4)) {
          std::string copy = dir + "/" + package.filename().string();
          fs::remove_all(copy);
          fs::copy(package, copy, fs::copy_options::recursive);
          fs::rename(variant.path, copy + "/" + member.string());
          std::string what = package.filename().string() + "/" + member.string() + ", " + variant.how;
          check_clean(run_mtool_within(kTimeLimitSeconds, {"inspect", "--json", copy}), "inspect " + what);
          ++runs;
        }
      }
    }
    MESSAGE(runs << " runs");
    CHECK(runs > 100 / share());
  }
}

TEST_SUITE("corruption-runtime") {
  TEST_CASE("backport either writes a whole, loadable file or nothing") {
    std::string dir = scratch_dir("corruption-backport");
    std::string out_dir = scratch_dir("corruption-backport-out");
    size_t written = 0;
    size_t refused = 0;
    for (const fs::path& original : all_fixtures()) {
      if (!is_lite(original)) continue;
      for (const Variant& variant : corrupt(original, dir, 6)) {
        std::string out = out_dir + "/out.ptl";
        RunResult result = run_mtool_within(
            kRuntimeTimeLimitSeconds, {"backport", variant.path, "--to", "5", "-o", out, "--input-shape", "1,3,16,16"});
        std::string what = "backport " + original.filename().string() + ", " + variant.how;
        check_clean(result, what);
        CAPTURE(what);
        if (result.exit_code == 0) {
          ++written;
          CHECK(run_mtool({"inspect", out}).exit_code == 0);
        } else {
          ++refused;
          CHECK_FALSE(fs::exists(out));
        }
        fs::remove(out);
        fs::remove(variant.path);
        check_no_stray_files(out_dir, {});
      }
    }
    MESSAGE(written << " backported, " << refused << " refused");
    CHECK(refused > 0);
  }

  TEST_CASE("score reports each damaged photo on its own line and never crashes") {
    std::string dir = scratch_dir("corruption-score-photos");
    std::vector<std::string> args = {"score", "--json", "-m", fixture("score/mean_red.pt")};
    for (const fs::path& original : all_fixtures()) {
      if (!is_photo(original)) continue;
      for (const Variant& variant : corrupt(original, dir, 8)) args.push_back(variant.path);
    }
    size_t photos = args.size() - 4;
    RunResult result = run_mtool_within(kRuntimeTimeLimitSeconds + 0.2 * static_cast<double>(photos), args);
    check_clean(result, "score on damaged photos");
    std::vector<nlohmann::json> lines = result.json_lines();
    CHECK(lines.size() == photos);
    size_t failed = 0;
    for (const auto& line : lines) {
      if (line["error"].is_null()) {
        CHECK(line["output"]["kind"] == "score");
      } else {
        ++failed;
        CHECK(line["error"].get<std::string>().find('\n') == std::string::npos);
      }
    }
    MESSAGE(photos << " damaged photos, " << failed << " refused");
    CHECK(failed > 0);
  }

  TEST_CASE("score refuses damaged models in one line") {
    std::string dir = scratch_dir("corruption-score-models");
    for (const fs::path& original : all_fixtures()) {
      if (!is_model(original) || original.parent_path().filename() != "score") continue;
      for (const Variant& variant : corrupt(original, dir, 4)) {
        RunResult result = run_mtool_within(kRuntimeTimeLimitSeconds,
                                            {"score", "-m", variant.path, fixture("score/photos/photo.png")});
        check_clean(result, "score -m " + original.filename().string() + ", " + variant.how);
        fs::remove(variant.path);
      }
    }
  }
}
