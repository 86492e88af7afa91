// score's per-photo errors: each photo gets its own reason, however many
// others failed before it (libvips keeps one error buffer per process).
#include <doctest/doctest.h>
#include <filesystem>
#include <cstdlib>
#include <sstream>

#include "run_mtool.h"

using namespace mtool::test;

TEST_SUITE("score") {
  TEST_CASE("each bad photo's error line gives that photo's reason") {
    std::string dir = scratch_dir("score_bad_photos");
    std::string photo = read_file(fixture("score/quality/pristine.jpg"));
    write_file(dir + "/a_truncated.jpg", photo.substr(0, 3000));
    write_file(dir + "/b_notimage.jpg", "hello\n");
    write_file(dir + "/c_truncated.jpg", photo.substr(0, 3000));
    write_file(dir + "/d_good.jpg", photo);
    RunResult result = run_mtool({"score", dir});
    CHECK(result.exit_code == 1);
    std::istringstream lines(result.out);
    int checked = 0;
    for (std::string line; std::getline(lines, line);) {
      CAPTURE(line);
      if (line.find("truncated.jpg") != std::string::npos) {
        CHECK(line.find("not a known file format") == std::string::npos);  // was b_notimage.jpg's reason
        CHECK(line.find("Premature end") != std::string::npos);
        ++checked;
      }
      if (line.find("b_notimage.jpg") != std::string::npos) {
        CHECK(line.find("\"" + dir + "/b_notimage.jpg\" is not a known file format") != std::string::npos);
        ++checked;
      }
    }
    CHECK(checked == 3);
  }

  // ESC [1m looks like one of mtool's own colour codes; in a file name it is the file's.
  TEST_CASE("a photo's error line escapes what its name and message hold") {
    std::string dir = scratch_dir("score_escape_names");
    write_file(dir + "/p\x1b[1m.jpg", "not a photo");
    RunResult result = run_mtool({"score", dir});
    CHECK(result.exit_code == 1);
    CAPTURE(result.out);
    CHECK(result.out.find('\x1b') == std::string::npos);
    CHECK(result.err.find('\x1b') == std::string::npos);
    CHECK(result.out.find("/p\\x1b[1m.jpg  error: ") != std::string::npos);
  }
}

TEST_SUITE("score") {
  TEST_CASE("--no-auto-rotate keeps the stored orientation, as PIL's Image.open does") {
    // photo_rotated.jpg is stored 800x600 with EXIF orientation 6 (turned 90 degrees).
    nlohmann::json upright = run_mtool({"score", "--json", fixture("photo_rotated.jpg")}).json_lines().at(0);
    nlohmann::json stored = run_mtool({"score", "--json", "--no-auto-rotate", fixture("photo_rotated.jpg")}).json_lines().at(0);
    CHECK(upright["width"] == stored["height"]);
    CHECK(upright["height"] == stored["width"]);
    CHECK(stored["width"] == 800);
    // PIL without exif_transpose sees the stored size too.
    std::string check = "/usr/bin/python3 -c \"from PIL import Image; assert Image.open('" + fixture("photo_rotated.jpg") +
                        "').size == (800, 600)\"";
    CHECK(std::system(check.c_str()) == 0);
  }
}

TEST_SUITE("score") {
  // Models from other projects: an MNIST convnet (1 channel) and the iOS demo's quantized MobileNet, whose
  // x86 quantized linear layer has no batched kernel ("could not create a descriptor for a matmul primitive").
  const std::string kCorpus = MTOOL_CORPUS_DIR;

  TEST_CASE("a refused input names its cause: a grey model wants 1 channel, not 'the size it was trained on'") {
    std::string model = kCorpus + "/torchscript/Mastering-PyTorch__scripted_convnet.pt";
    if (!std::filesystem::exists(model)) {
      MESSAGE("skipped: " << model << " absent");
      return;
    }
    RunResult result = run_mtool({"score", "-m", model, fixture("score/photos/photo.png")});
    CAPTURE(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.one_error_line());
    CHECK(result.err.find("mtool: error: " + model + ": the model rejected a [") == 0);
    CHECK(result.err.find("float32 input (channels: the model wants 1 channel, the input has 3)") != std::string::npos);
    CHECK(result.err.find("give --channels L") != std::string::npos);
    CHECK(result.err.find("trained on") == std::string::npos);
    RunResult bench = run_mtool({"bench", "--runs", "2", "--loads", "1", "--input-shape", "1,3,28,28", model});
    CAPTURE(bench.err);
    CHECK(bench.exit_code == 1);
    CHECK(bench.err.find("(channels: the model wants 1 channel, the input has 3)") != std::string::npos);
    CHECK(bench.err.find("give --input-shape with 1 channel") != std::string::npos);
  }

  TEST_CASE("LibTorch's own warnings do not reach stderr: a refused input is one line") {
    // PyTorch's iOS ViT for MNIST warns about torch.meshgrid through glog before it fails on a photo.
    std::string model = kCorpus + "/demo-apps/ios_vit4mnist.ptl";
    if (!std::filesystem::exists(model)) {
      MESSAGE("skipped: " << model << " absent");
      return;
    }
    RunResult result = run_mtool({"score", "-m", model, fixture("score/photos/photo.png")});
    CAPTURE(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.one_error_line());
    CHECK(result.err.find("meshgrid") == std::string::npos);
    CHECK(result.err.find("InitGoogleLogging") == std::string::npos);
  }

  TEST_CASE("a refused input names the layout or the dtype when either is the cause, in the model's own names") {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"--layout=NHWC", "(layout: the model wants channels first (3 channels), the input has them last)"},
        {"--dtype=uint8", "(dtype: the model wants float32, the input is uint8)"}};
    for (const auto& [flag, cause] : cases) {
      const std::string& given = flag;  // CAPTURE's lambda cannot name a structured binding (C++17)
      CAPTURE(given);
      RunResult result = run_mtool({"score", "-m", fixture("scripted.pt"), fixture("score/photos/photo.png"), flag});
      CAPTURE(result.err);
      CHECK(result.exit_code == 1);
      CHECK(result.one_error_line());
      CHECK(result.err.find("mtool: error: " + fixture("scripted.pt") + ": the model rejected a [") == 0);
      CHECK(result.err.find(cause) != std::string::npos);
      CHECK(result.err.find(flag == "--layout=NHWC" ? "give --layout NCHW" : "give --dtype float32") !=
            std::string::npos);
    }
  }

  TEST_CASE("--batch on a model that runs one photo at a time falls back to 1 with a note, and scores every photo") {
    std::string model = kCorpus + "/demo-apps/ios_mobilenet_quantized.pt";
    if (!std::filesystem::exists(model)) {
      MESSAGE("skipped: " << model << " absent");
      return;
    }
    std::vector<std::string> photos = {"photo.png", "photo.webp", "oriented.jpg", "red_then_blue.gif", "photo.tiff"};
    // oneDNN (x86's own engine; mtool's default is QNNPACK) has no batched kernel for its quantized linear layer.
    std::vector<std::string> alone = {"score", "--json", "--qengine", "onednn", "-m", model};
    std::vector<std::string> batched = {"score", "--json", "--qengine", "onednn", "--batch", "4", "-m", model};
    for (const std::string& name : photos) {
      alone.push_back(fixture("score/photos/" + name));
      batched.push_back(fixture("score/photos/" + name));
    }
    RunResult one = run_mtool(alone);
    RunResult four = run_mtool(batched);
    CAPTURE(four.err);
    CHECK(four.exit_code == 0);
    CHECK(four.err.find("mtool: note: the model failed on a batch of 4 (could not create a descriptor for a matmul "
                        "primitive) but runs one photo at a time: scoring with --batch 1") != std::string::npos);
    std::vector<nlohmann::json> a = one.json_lines(), b = four.json_lines();
    REQUIRE(a.size() == b.size());
    size_t scored = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].contains("output")) continue;
      ++scored;
      CHECK(b[i]["path"] == a[i]["path"]);
      CHECK(b[i]["output"]["top"][0] == a[i]["output"]["top"][0]);  // the same answers as --batch 1
    }
    CHECK(scored == photos.size());
  }
}

TEST_SUITE("score") {
  TEST_CASE("on a terminal the progress bar is erased before the summary line, never run into it") {
    if (std::system("command -v script >/dev/null 2>&1") != 0) {
      MESSAGE("skipped: util-linux script (a pseudo-terminal) absent");
      return;
    }
    // stderr a pseudo-terminal, stdout to /dev/null: the bar is drawn, then the summary.
    RunResult result = run_shell("script -qec \"\\\"$MTOOL\\\" score " + fixture("score/photos") +
                                 " >/dev/null\" /dev/null");
    std::string& text = result.out;
    size_t summary = text.find(" images in ");
    REQUIRE(summary != std::string::npos);
    CHECK(text.find("] 9/9") != std::string::npos);  // the bar was drawn
    size_t line_start = text.rfind('\r', summary);
    REQUIRE(line_start != std::string::npos);
    std::string before = text.substr(line_start, summary - line_start);
    CAPTURE(before);
    CHECK(before.find('#') == std::string::npos);  // no bar before the summary on its line
    CHECK(before.starts_with("\r\033[K"));
  }
}

namespace {

// torchvision+PIL's answers (scripts/score_oracle.py with `options`), one JSON object per photo.
std::vector<nlohmann::json> oracle_lines(const std::string& options, const std::string& model,
                                         const std::vector<std::string>& photos) {
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/score_oracle.py " + options + " '" + model + "'";
  for (const std::string& photo : photos) command += " '" + photo + "'";
  RunResult oracle = run_shell(command + " 2>/dev/null");
  REQUIRE(oracle.exit_code == 0);
  std::vector<nlohmann::json> lines = oracle.json_lines();
  REQUIRE(lines.size() == photos.size());
  return lines;
}

}  // namespace

TEST_SUITE("score") {
  TEST_CASE("a grey model: --channels L with one-number --mean/--std matches torchvision's Grayscale pipeline") {
    std::string model = std::string(MTOOL_CORPUS_DIR) + "/torchscript/Mastering-PyTorch__scripted_convnet.pt";
    if (!std::filesystem::exists(model) || std::system("/usr/bin/python3 -c 'import torchvision' 2>/dev/null") != 0) {
      MESSAGE("skipped: needs " << model << " and /usr/bin/python3 with torchvision");
      return;
    }
    std::vector<std::string> photos = {fixture("score/photos/photo.png"), fixture("score/photos/photo.webp"),
                                       fixture("score/photos/red_then_blue.gif"), MTOOL_SOURCE_DIR "/examples/chelsea.jpg",
                                       MTOOL_SOURCE_DIR "/examples/coffee.jpg"};
    std::string inputs = scratch_dir("score-grey");
    std::vector<std::string> args = {"score", "--json", "-m", model, "--channels", "L", "--mean", "0.1307", "--std",
                                     "0.3081", "--resize", "28x28", "--crop", "none", "--exact-resize", "--save-inputs",
                                     inputs};
    args.insert(args.end(), photos.begin(), photos.end());
    RunResult mine = run_mtool(args);
    CAPTURE(mine.err);
    REQUIRE(mine.exit_code == 0);
    std::vector<nlohmann::json> a = mine.json_lines();
    std::vector<nlohmann::json> b = oracle_lines("--size 28 --grey --mean 0.1307 --std 0.3081 --inputs '" + inputs + "'",
                                                 model, photos);
    REQUIRE(a.size() == photos.size());
    for (size_t i = 0; i < photos.size(); ++i) {
      CAPTURE(photos[i]);
      CHECK(a[i]["input_shape"] == nlohmann::json{1, 1, 28, 28});
      CHECK(b[i]["input_max_abs_diff"].get<double>() < 1e-5);  // the same tensor as Grayscale + Normalize
      CHECK(a[i]["output"]["top"][0]["index"] == b[i]["top"][0]);
      CHECK(std::abs(a[i]["output"]["top"][0]["probability"].get<double>() - b[i]["probabilities"][0].get<double>()) < 1e-5);
    }
    // ImageNet's three means mean nothing for one channel: refused, not guessed.
    RunResult unset = run_mtool({"score", "-m", model, "--channels", "L", photos[0]});
    CHECK(unset.exit_code == 2);
    CHECK(unset.err.find("takes one mean and one std") != std::string::npos);
  }
}

TEST_SUITE("score") {
  TEST_CASE("--qengine qnnpack gives what Python gives with QNNPACK (as phones run quantized models), and says so") {
    std::string model = std::string(MTOOL_CORPUS_DIR) + "/demo-apps/ios_mobilenet_quantized.pt";
    std::vector<std::string> photos = {"/usr/share/backgrounds/mate/nature/LadyBird.jpg", MTOOL_SOURCE_DIR "/examples/coffee.jpg",
                                       MTOOL_SOURCE_DIR "/examples/chelsea.jpg"};
    if (!std::filesystem::exists(model) || !std::filesystem::exists(photos[0]) ||
        std::system("/usr/bin/python3 -c 'import torchvision' 2>/dev/null") != 0) {
      MESSAGE("skipped: needs " << model << ", mate-backgrounds and /usr/bin/python3 with torchvision");
      return;
    }
    std::vector<std::string> args = {"score", "--json", "--exact-resize", "--qengine", "qnnpack", "-m", model};
    args.insert(args.end(), photos.begin(), photos.end());
    RunResult mine = run_mtool(args);
    REQUIRE(mine.exit_code == 0);
    CHECK(mine.err.find("quantized engine: qnnpack") != std::string::npos);
    std::vector<nlohmann::json> a = mine.json_lines();
    std::vector<nlohmann::json> b = oracle_lines("--qengine qnnpack", model, photos);
    REQUIRE(a.size() == photos.size());
    for (size_t i = 0; i < photos.size(); ++i) {
      CAPTURE(photos[i]);
      CHECK(a[i]["output"]["top"][0]["index"] == b[i]["top"][0]);
      // ladybug: 0.97329 with QNNPACK in both, 0.9695 with x86's default engine
      CHECK(std::abs(a[i]["output"]["top"][0]["probability"].get<double>() - b[i]["probabilities"][0].get<double>()) < 1e-4);
    }
    RunResult missing = run_mtool({"score", "--qengine", "fbgemm", "-m", model, photos[0]});
    if (missing.exit_code != 0) {  // Debian's LibTorch has no FBGEMM: said plainly, naming those it has
      CHECK(missing.exit_code == 2);
      CHECK(missing.err.find("--qengine fbgemm: this LibTorch has no such quantized engine (it has ") != std::string::npos);
    }
    RunResult bench = run_mtool({"bench", "--runs", "2", "--loads", "1", "--qengine", "qnnpack", "--input-shape",
                                 "1,3,224,224", model});
    CHECK(bench.exit_code == 0);
    CHECK(bench.out.find("quantized engine: qnnpack\n") != std::string::npos);
  }
}
