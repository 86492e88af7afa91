// mtool score with a real trained model (PyTorch's iOS demo classifier, from
// the shared corpus) on real photos from Debian packages (mate-backgrounds,
// python3-skimage), against torchvision+PIL (scripts/score_oracle.py).
// Skipped (exit 77) when the corpus or the photos are absent.
#include <doctest/doctest.h>
#include <filesystem>
#include <map>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kMate = "/usr/share/backgrounds/mate/nature";
const std::string kSkimage = "/usr/lib/python3/dist-packages/skimage/data";

std::string model_path() { return std::string(MTOOL_CORPUS_DIR) + "/demo-apps/ios_mobilenet_quantized.pt"; }

std::vector<std::string> real_photos() {
  if (!fs::exists(model_path()) || !fs::is_directory(kMate) || !fs::is_directory(kSkimage)) {
    MESSAGE("skipped: needs " << model_path() << ", mate-backgrounds and python3-skimage");
    std::exit(77);
  }
  std::vector<std::string> photos;
  for (const auto& entry : fs::directory_iterator(kMate)) photos.push_back(entry.path().string());
  std::sort(photos.begin(), photos.end());
  for (const char* name : {"coffee.png", "chelsea.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"}) {
    photos.push_back(kSkimage + "/" + name);
  }
  photos.push_back(MTOOL_SOURCE_DIR "/examples/coffee.jpg");
  photos.push_back(MTOOL_SOURCE_DIR "/examples/chelsea.jpg");
  return photos;
}

struct Run {
  std::vector<json> mine;
  std::vector<json> theirs;
};

Run run_both(const std::vector<std::string>& photos, const std::string& mode) {
  std::string inputs = scratch_dir("score-corpus" + mode);
  std::vector<std::string> args = {"score", "--json", "--save-inputs", inputs, "-m", model_path()};
  if (!mode.empty()) args.push_back(mode);
  args.insert(args.end(), photos.begin(), photos.end());
  RunResult result = run_mtool(args);
  CAPTURE(result.err);
  REQUIRE(result.exit_code == 0);
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/score_oracle.py --qengine qnnpack '" +
                        model_path() + "' --inputs '" + inputs + "'";
  for (const std::string& photo : photos) command += " '" + photo + "'";
  RunResult oracle = run_shell(command + " 2>/dev/null");
  REQUIRE(oracle.exit_code == 0);
  Run run{result.json_lines(), oracle.json_lines()};
  REQUIRE(run.mine.size() == photos.size());
  REQUIRE(run.theirs.size() == photos.size());
  return run;
}

// Largest difference between mtool's softmax and the oracle's, over the classes mtool reports.
double probability_difference(const json& mine, const json& theirs) {
  std::vector<double> logits = theirs["output"].get<std::vector<double>>();
  double top = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (double logit : logits) total += std::exp(logit - top);
  double worst = 0;
  for (const json& entry : mine["output"]["top"]) {
    double theirs_p = std::exp(logits[entry["index"].get<size_t>()] - top) / total;
    worst = std::max(worst, std::abs(theirs_p - entry["probability"].get<double>()));
  }
  return worst;
}

}  // namespace

TEST_SUITE("score-corpus") {
  TEST_CASE("the demo app's classifier names what Debian's photos show") {
    std::vector<std::string> photos = real_photos();
    RunResult result = run_mtool({"score", "--json", "-m", model_path(), kMate + "/LadyBird.jpg", kSkimage + "/coffee.png",
                                  MTOOL_SOURCE_DIR "/examples/chelsea.jpg"});
    REQUIRE(result.exit_code == 0);
    std::vector<json> lines = result.json_lines();
    CHECK(lines[0]["output"]["top"][0]["label"] == "ladybug");
    CHECK(lines[0]["output"]["top"][0]["probability"].get<double>() > 0.9);
    CHECK(lines[1]["output"]["top"][0]["label"] == "espresso");
    CHECK(lines[2]["output"]["top"][0]["label"] == "Egyptian cat");
    CHECK(lines[0]["output"]["labels"] == "ImageNet");
  }

  TEST_CASE("--exact-resize: same tensors and outputs as torchvision+PIL on every photo without an ICC profile") {
    std::vector<std::string> photos = real_photos();
    Run run = run_both(photos, "--exact-resize");
    for (size_t i = 0; i < photos.size(); ++i) {
      CAPTURE(photos[i]);
      CHECK(run.mine[i]["output"]["top"][0]["index"] == run.theirs[i]["top"][0]);
      if (run.theirs[i]["icc_profile"] == true) continue;  // mtool converts to sRGB, PIL does not
      CHECK(run.theirs[i]["input_max_abs_diff"].get<double>() == 0.0);
      CHECK(probability_difference(run.mine[i], run.theirs[i]) < 1e-6);
    }
  }

  TEST_CASE("the fast path (JPEG shrink-on-load) agrees on top-1 and stays within the documented bounds") {
    std::vector<std::string> photos = real_photos();
    Run run = run_both(photos, "");
    for (size_t i = 0; i < photos.size(); ++i) {
      CAPTURE(photos[i]);
      std::vector<double> p = run.theirs[i]["probabilities"].get<std::vector<double>>();
      // Where Python's top two classes are within 0.1 of each other, a pixel's rounding may swap them.
      if (p[0] - p[1] >= 0.1) CHECK(run.mine[i]["output"]["top"][0]["index"] == run.theirs[i]["top"][0]);
      if (run.theirs[i]["icc_profile"] == true) continue;  // mtool converts to sRGB, PIL does not
      CHECK(run.theirs[i]["input_mean_abs_diff"].get<double>() < 0.02);
      CHECK(probability_difference(run.mine[i], run.theirs[i]) < 0.25);
    }
  }
}
