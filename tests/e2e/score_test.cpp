// mtool score on photos of every format and on models whose outputs reveal
// what they were fed (scripts/fixtures_score.py), with torchvision+PIL
// (/usr/bin/python3 scripts/score_oracle.py) as the oracle for the tensors.
#include <doctest/doctest.h>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string score_fixture(const std::string& name) { return fixture("score/" + name); }
std::string photo(const std::string& name) { return score_fixture("photos/" + name); }

// One image's JSON line (model and image are paths): no error, and the model's output.
json scored(const std::string& model, const std::string& image, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"score", "--json", "-m", model, image};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult result = run_mtool(args);
  CAPTURE(result.err);
  REQUIRE(result.exit_code == 0);
  json line = result.json_lines().at(0);
  REQUIRE(line["error"].is_null());
  return line;
}

double score_of(const std::string& model, const std::string& image, std::vector<std::string> extra = {}) {
  json line = scored(model, image, std::move(extra));
  REQUIRE(line["output"]["kind"] == "score");
  return line["output"]["score"].get<double>();
}

// The oracle's answers for `photos`, comparing mtool's saved input tensors.
std::vector<json> oracle(const std::string& model, const std::vector<std::string>& photos, const std::string& inputs) {
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/score_oracle.py '" + model + "' --inputs '" +
                        inputs + "'";
  for (const std::string& path : photos) command += " '" + path + "'";
  RunResult result = run_shell(command + " 2>/dev/null");
  REQUIRE(result.exit_code == 0);
  return result.json_lines();
}

const std::vector<std::string> kFolderOrder = {"cmyk.jpg", "grey.png", "nested/grey16.png", "nested/rgba.png", "oriented.jpg",
                                               "photo.png", "photo.tiff", "photo.webp", "red_then_blue.gif"};

}  // namespace

TEST_SUITE("score") {
  TEST_CASE("a folder is walked recursively, images only, sorted, and every format decodes") {
    RunResult result = run_mtool({"score", "--json", "-m", score_fixture("mean_red.pt"), score_fixture("photos")});
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    std::vector<json> lines = result.json_lines();
    REQUIRE(lines.size() == kFolderOrder.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(lines[i].dump());
      CHECK(lines[i]["schema"] == "mtool.score/1");
      CHECK(lines[i]["path"] == photo(kFolderOrder[i]));
      CHECK(lines[i]["error"].is_null());
      CHECK(lines[i]["input_shape"] == json{1, 3, 224, 224});
      CHECK(lines[i]["timings_ms"]["decode"].get<double>() > 0);
    }
  }

  TEST_CASE("a sideways phone photo reaches the model upright (EXIF orientation)") {
    // Red on top, blue below once turned: the probe says top minus bottom red, about 4.4 when upright.
    CHECK(score_of(score_fixture("top_minus_bottom.pt"), photo("oriented.jpg")) > 4.0);
    // Large enough that libvips cannot turn it from buffered rows: it must read it out of order.
    CHECK(scored(score_fixture("mean_red.pt"), fixture("photo_rotated.jpg"))["width"] == 600);
  }

  TEST_CASE("grey, 16-bit, CMYK, WebP, TIFF and GIF photos become the same RGB input") {
    double png = score_of(score_fixture("mean_red.pt"), photo("photo.png"));
    CHECK(score_of(score_fixture("mean_red.pt"), photo("photo.tiff")) == doctest::Approx(png).epsilon(1e-6));
    CHECK(score_of(score_fixture("mean_red.pt"), photo("photo.webp")) == doctest::Approx(png).epsilon(0.05));
    CHECK(score_of(score_fixture("mean_red.pt"), photo("cmyk.jpg")) == doctest::Approx(png).epsilon(0.1));
    double grey = score_of(score_fixture("mean_red.pt"), photo("grey.png"));
    CHECK(score_of(score_fixture("mean_red.pt"), photo("nested/grey16.png")) == doctest::Approx(grey).epsilon(1e-3));
    // Half-transparent pixels are flattened on white: brighter than the opaque photo.
    CHECK(score_of(score_fixture("mean_red.pt"), photo("nested/rgba.png")) > png + 0.5);
    // A GIF's first frame is red, its second blue.
    CHECK(score_of(score_fixture("mean_red.pt"), photo("red_then_blue.gif")) == doctest::Approx((1 - 0.485) / 0.229).epsilon(1e-3));
  }

  TEST_CASE("netpbm photos whose header has several comment lines decode like the PNG they were made from") {
    // Debian 12's libvips reads the width from the second comment line and decodes a 640x480
    // photo as 1x3200 16-bit (libvips issue 3842): ImageMagick writes a line per line of a
    // photo's comment, and keeps the comment of a PPM that libvips wrote.
    if (!fs::exists("/usr/bin/convert")) {
      MESSAGE("skipped: ImageMagick's /usr/bin/convert is not installed");
      return;
    }
    std::string dir = scratch_dir("score-netpbm");
    std::string comment = "from a camera\nISO 3200";
    struct Case {
      std::string name;
      std::string options;
    };
    for (const Case& made :
         {Case{"raw.ppm", ""}, Case{"plain.ppm", "-compress none"}, Case{"grey16.pgm", "-depth 16"}}) {
      CAPTURE(made.name);
      std::string out = dir + "/" + made.name;
      RunResult written = run_shell(fmt::format("/usr/bin/convert '{}' {} -set comment \"$(printf '{}')\" '{}'",
                                                photo("photo.png"), made.options, comment, out));
      REQUIRE(written.exit_code == 0);
      REQUIRE(read_file(out).find("#from a camera\n#ISO 3200\n") != std::string::npos);  // the case itself
      std::string png = dir + "/" + made.name + ".png";
      REQUIRE(run_shell(fmt::format("/usr/bin/convert '{}' '{}'", out, png)).exit_code == 0);
      CHECK(score_of(score_fixture("mean_red.pt"), out) ==
            doctest::Approx(score_of(score_fixture("mean_red.pt"), png)));
      RunResult builtin = run_mtool({"score", "--json", out, png});
      REQUIRE(builtin.exit_code == 0);
      std::vector<json> lines = builtin.json_lines();
      REQUIRE(lines.size() == 2);
      CHECK(lines[0]["output"]["score"].get<double>() == doctest::Approx(lines[1]["output"]["score"].get<double>()));
      CHECK(builtin.err.find("GLib") == std::string::npos);
    }
  }

  TEST_CASE("an iPhone-style HEIC photo decodes like the PNG it was made from") {
    std::string heic = scratch_dir("score-heic") + "/photo.heic";
    RunResult written = run_binary(MTOOL_HEIC_WRITER, {photo("photo.png"), heic});
    REQUIRE(written.exit_code == 0);
    double png = score_of(score_fixture("mean_red.pt"), photo("photo.png"));
    CHECK(score_of(score_fixture("mean_red.pt"), heic) == doctest::Approx(png).epsilon(0.05));
  }

  TEST_CASE("files that cannot be decoded are reported on their own line and the others are scored") {
    RunResult result = run_mtool({"score", "--json", "-m", score_fixture("mean_red.pt"), photo("photo.png"),
                                  score_fixture("broken/truncated.jpg"), score_fixture("broken/text.jpg"),
                                  score_fixture("broken/empty.png"), "/no/such/photo.jpg", photo("grey.png")});
    CHECK(result.exit_code == 1);
    CHECK(result.signal == 0);
    std::vector<json> lines = result.json_lines();
    REQUIRE(lines.size() == 6);
    CHECK(lines[0]["error"].is_null());
    for (size_t i = 1; i <= 4; ++i) {
      CAPTURE(lines[i].dump());
      REQUIRE(lines[i]["error"].is_string());
      CHECK(lines[i]["error"].get<std::string>().find('\n') == std::string::npos);
    }
    CHECK(lines[1]["error"].get<std::string>().find("cannot decode image") != std::string::npos);
    CHECK(lines[4]["error"] == "no such file or folder");
    CHECK(lines[5]["error"].is_null());
    CHECK(result.err.find("4 of 6 images failed") != std::string::npos);
    CHECK(result.err.find("VIPS") == std::string::npos);
  }

  TEST_CASE("when no photo can be opened, each gets its line and the exit code says so") {
    for (std::vector<std::string> model : {std::vector<std::string>{}, {"-m", score_fixture("mean_red.pt")}}) {
      std::vector<std::string> args = {"score", "/no/such/photo.jpg", "/no/such/other.png"};
      args.insert(args.end(), model.begin(), model.end());
      RunResult result = run_mtool(args);
      CAPTURE(result.err);
      CHECK(result.exit_code == 1);
      CHECK(result.out.find("/no/such/photo.jpg  error: no such file or folder") != std::string::npos);
      CHECK(result.err.find("2 of 2 images failed") != std::string::npos);
      CHECK(result.err.find("internal error") == std::string::npos);
    }
  }

  TEST_CASE("- reads the paths to score from stdin") {
    RunResult result = run_shell("printf '%s\\n%s\\n' '" + photo("photo.png") + "' '" + photo("grey.png") +
                                 "' | \"$MTOOL\" score --json -m '" + score_fixture("mean_red.pt") + "' -");
    CHECK(result.exit_code == 0);
    std::vector<json> lines = result.json_lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["path"] == photo("grey.png"));

    // Nothing on stdin, and a folder with no photos in it: a usage error, not an empty success.
    std::string no_photos = scratch_dir("no_photos");
    std::filesystem::create_directories(no_photos + "/sub");
    RunResult empty = run_shell("\"$MTOOL\" score -m '" + score_fixture("mean_red.pt") + "' - '" + no_photos + "' </dev/null");
    CAPTURE(empty.err);
    CHECK(empty.exit_code == 2);
    CHECK(empty.one_error_line());
    CHECK(empty.err.find("no image files found in the given folders or on stdin") != std::string::npos);
  }

  TEST_CASE("each kind of output is described, never a crash") {
    json segmentation = scored(score_fixture("segmenter.pt"), photo("photo.png"))["output"];
    CHECK(segmentation["kind"] == "tensors");
    CHECK(segmentation["tensors"][0]["shape"] == json{2, 224, 224});
    CHECK(segmentation["tensors"][0].contains("mean"));

    json nima = scored(score_fixture("nima.pt"), photo("photo.png"))["output"];
    CHECK(nima["kind"] == "distribution");
    CHECK(nima["mean"].get<double>() > 1.0);
    CHECK(nima["mean"].get<double>() < 10.0);

    json tuple = scored(score_fixture("tuple_out.pt"), photo("photo.png"))["output"];
    CHECK(tuple["kind"] == "tensors");
    CHECK(tuple["tensors"].size() == 2);
    CHECK(tuple["tensors"][1]["shape"] == json{5});

    json dict = scored(score_fixture("dict_out.pt"), photo("photo.png"))["output"];
    CHECK(dict["tensors"][0]["name"] == "output[mean]");

    json classes = scored(score_fixture("logits7.pt"), photo("photo.png"), {"--labels", score_fixture("labels7.txt")})["output"];
    CHECK(classes["kind"] == "classes");
    CHECK(classes["softmax_applied"] == true);
    CHECK(classes["top"].size() == 5);
    CHECK(classes["top"][0]["label"].get<std::string>().rfind("colour ", 0) == 0);
    CHECK(classes["top"][0]["probability"].get<double>() >= classes["top"][1]["probability"].get<double>());
  }

  TEST_CASE("labels stored in the archive name a softmax output, which is not softmaxed again") {
    RunResult result = run_mtool({"score", "--json", "-m", fixture("with_extra_files.pt"), photo("photo.png")});
    CAPTURE(result.err);
    REQUIRE(result.exit_code == 0);
    json output = result.json_lines().at(0)["output"];
    CHECK(output["kind"] == "classes");
    CHECK(output["softmax_applied"] == false);
    CHECK(output["labels"] == "extra/labels.txt");
    std::set<std::string> names = {"cat", "dog", "bird", "fish"};
    CHECK(names.count(output["top"][0]["label"].get<std::string>()) == 1);
  }

  TEST_CASE("a model that takes other inputs gets one clear line") {
    RunResult two = run_mtool({"score", "-m", score_fixture("two_inputs.pt"), photo("photo.png")});
    CHECK(two.exit_code == 1);  // the model cannot take photos: 1, as a rejected input
    CHECK(two.one_error_line());
    CHECK(two.err.find("2 tensor inputs (x, mask)") != std::string::npos);

    RunResult shape = run_mtool({"score", "-m", score_fixture("wrong_shape.pt"), photo("photo.png")});
    CHECK(shape.exit_code == 1);
    CAPTURE(shape.err);
    CHECK(shape.one_error_line());
    CHECK(shape.err.find("rejected a [1, 3, 224, 224] float32 input (size: a fully connected layer wants 3072 "
                         "features, the input gives 150528): mat1 and mat2 shapes") != std::string::npos);
    CHECK(shape.err.find("--resize and --crop") != std::string::npos);

    RunResult not_model = run_mtool({"score", "-m", fixture("random.bin"), photo("photo.png")});
    CHECK(not_model.exit_code == 1);
    CHECK(not_model.one_error_line());

    RunResult both = run_mtool({"score", "--json", "--csv", "-m", score_fixture("mean_red.pt"), photo("photo.png")});
    CHECK(both.exit_code == 2);
    CHECK(both.one_error_line());
  }

  TEST_CASE("recipe flags: size, layout, channel order") {
    CHECK(scored(score_fixture("tuple_out.pt"), photo("photo.png"), {"--resize", "100x50", "--crop", "none"})["input_shape"] ==
          json{1, 3, 50, 100});
    CHECK(scored(score_fixture("tuple_out.pt"), photo("photo.png"), {"--layout", "NHWC"})["input_shape"] == json{1, 224, 224, 3});
    // The GIF's first frame is pure red: in BGR order the first channel is blue.
    double bgr = score_of(score_fixture("mean_red.pt"), photo("red_then_blue.gif"), {"--channels", "BGR"});
    CHECK(bgr == doctest::Approx((0 - 0.406) / 0.225).epsilon(1e-3));
    double raw = score_of(score_fixture("mean_red.pt"), photo("red_then_blue.gif"), {"--range", "0-255", "--mean", "0,0,0", "--std", "1,1,1"});
    CHECK(raw == doctest::Approx(255.0));
    RunResult bad = run_mtool({"score", "-m", score_fixture("mean_red.pt"), "--mean", "1,2", photo("photo.png")});
    CHECK(bad.exit_code == 2);
    CHECK(bad.one_error_line());
  }

  TEST_CASE("recipe set stores a recipe and labels in the archive; sidecars and flags; show-recipe says which") {
    std::string dir = scratch_dir("score-recipe");
    std::string model = dir + "/model.pt";
    fs::copy_file(score_fixture("logits7.pt"), model);
    RunResult shown = run_mtool({"score", "-m", model, "--show-recipe"});
    CHECK(shown.exit_code == 0);
    CHECK(shown.json()["source"] == "default (torchvision ImageNet)");

    RunResult set = run_mtool({"recipe", "set", model, "--resize", "64", "--crop", "48", "--labels", score_fixture("labels7.txt")});
    CAPTURE(set.err);
    REQUIRE(set.exit_code == 0);
    CHECK(run_mtool({"inspect", model}).exit_code == 0);
    RunResult show = run_mtool({"recipe", "show", model});
    CHECK(show.json()["source"] == "extra/mtool.json");
    CHECK(show.json()["recipe"]["crop"] == 48);
    json line = scored(model, photo("photo.png"));
    CHECK(line["input_shape"] == json{1, 3, 48, 48});
    CHECK(line["output"]["labels"] == "extra/mtool.json");
    CHECK(line["output"]["top"][0]["label"].get<std::string>().rfind("colour ", 0) == 0);
    // Three names for seven classes: found by running the model once, refused, the model left as it was.
    write_file(dir + "/three.txt", "a\nb\nc\n");
    std::string before = read_file(model);
    RunResult wrong = run_mtool({"recipe", "set", model, "--labels", dir + "/three.txt"});
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.one_error_line());
    CHECK(wrong.err.find("three.txt: 3 names for a 7-class output; give one name per class") != std::string::npos);
    CHECK(read_file(model) == before);
    RunResult flags = run_mtool({"score", "-m", model, "--crop", "32", "--show-recipe"});
    CHECK(flags.json()["source"] == "flags over extra/mtool.json");
    CHECK(flags.json()["recipe"]["crop"] == 32);

    std::string plain = dir + "/plain.pt";
    fs::copy_file(score_fixture("tuple_out.pt"), plain);
    write_file(plain + ".json", R"({"resize": [80, 60], "crop": null})");
    RunResult sidecar = run_mtool({"score", "--json", "-m", plain, photo("photo.png")});
    CHECK(sidecar.json_lines().at(0)["input_shape"] == json{1, 3, 60, 80});
    write_file(plain + ".json", R"({"crop": "large"})");
    RunResult broken = run_mtool({"score", "-m", plain, photo("photo.png")});
    CHECK(broken.exit_code == 2);
    CHECK(broken.one_error_line());
    CHECK(broken.err.find("\"crop\"") != std::string::npos);
  }

  TEST_CASE("recipe set refuses what it cannot rewrite and leaves files as they were") {
    std::string dir = scratch_dir("score-recipe-refuse");
    std::string flat = dir + "/flat.ptl";
    fs::copy_file(fixture("lite_flatbuffer.ptl"), flat);
    std::string before = read_file(flat);
    RunResult result = run_mtool({"recipe", "set", flat, "--crop", "32"});
    CHECK(result.exit_code == 1);
    CHECK(result.one_error_line());
    CHECK(read_file(flat) == before);
    std::string model = dir + "/model.pt";
    fs::copy_file(score_fixture("mean_red.pt"), model);
    RunResult exists = run_mtool({"recipe", "set", model, "--crop", "32", "-o", flat});
    CHECK(exists.exit_code == 2);
    CHECK(read_file(flat) == before);
    CHECK(fs::directory_iterator(dir) != fs::directory_iterator());
    for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }

  TEST_CASE("lite models, batches and CSV") {
    double full = score_of(score_fixture("mean_red.pt"), photo("photo.png"));
    CHECK(score_of(score_fixture("mean_red.ptl"), photo("photo.png")) == doctest::Approx(full).epsilon(1e-6));
    RunResult one = run_mtool({"score", "--json", "-m", score_fixture("mean_red.pt"), score_fixture("photos")});
    RunResult four = run_mtool({"score", "--json", "--batch", "4", "-m", score_fixture("mean_red.pt"), score_fixture("photos")});
    REQUIRE(one.exit_code == 0);
    REQUIRE(four.exit_code == 0);
    std::vector<json> a = one.json_lines();
    std::vector<json> b = four.json_lines();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i]["output"]["score"].get<double>() == doctest::Approx(b[i]["output"]["score"].get<double>()).epsilon(1e-5));
    }
    RunResult csv = run_mtool({"score", "--csv", "-m", score_fixture("mean_red.pt"), score_fixture("photos")});
    CHECK(csv.out.rfind("path,error,kind,", 0) == 0);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == static_cast<long>(kFolderOrder.size() + 1));
    RunResult text = run_mtool({"score", "--timings", "-m", score_fixture("mean_red.pt"), photo("photo.png")});
    CHECK(text.out.find("score ") != std::string::npos);
    CHECK(text.out.find("inference") != std::string::npos);
    CHECK(text.out.find("\033[") == std::string::npos);
  }

  TEST_CASE("--exact-resize feeds the model exactly what torchvision+PIL does; the fast path stays close") {
    std::vector<std::string> photos = {photo("photo.png"), photo("photo.tiff"), photo("grey.png"), photo("oriented.jpg")};
    for (const char* mode : {"--exact-resize", "--threads=2"}) {
      CAPTURE(mode);
      std::string inputs = scratch_dir(std::string("score-parity") + mode);
      std::vector<std::string> args = {"score", "--json", mode, "--save-inputs", inputs, "-m", score_fixture("mean_red.pt")};
      args.insert(args.end(), photos.begin(), photos.end());
      RunResult result = run_mtool(args);
      REQUIRE(result.exit_code == 0);
      std::vector<json> mine = result.json_lines();
      std::vector<json> theirs = oracle(score_fixture("mean_red.pt"), photos, inputs);
      REQUIRE(theirs.size() == photos.size());
      for (size_t i = 0; i < photos.size(); ++i) {
        CAPTURE(photos[i]);
        double difference = theirs[i]["input_max_abs_diff"].get<double>();
        if (std::string(mode) == "--exact-resize") {
          CHECK(difference == 0.0);
          CHECK(mine[i]["output"]["score"].get<double>() == doctest::Approx(theirs[i]["output"][0].get<double>()).epsilon(1e-6));
        } else {
          // Small photos decode the same way on both paths; shrink-on-load only acts on large JPEGs.
          CHECK(difference < 0.1);
        }
      }
    }
  }

  TEST_CASE("memory stays flat over thousands of photos") {
    auto peak_kib = [](int count) {
      RunResult result = run_shell("i=0; while [ $i -lt " + std::to_string(count) + " ]; do echo '" + photo("grey.png") +
                                   "'; i=$((i+1)); done | \"$MTOOL\" score --csv -m '" + score_fixture("mean_red.pt") + "' -");
      REQUIRE(result.exit_code == 0);
      CHECK(std::count(result.out.begin(), result.out.end(), '\n') == count + 1);
      return result.max_rss_kib;
    };
    long few = peak_kib(100);
    long many = peak_kib(2000);
    CAPTURE(few);
    CAPTURE(many);
    CHECK(many < few + 30 * 1024);
  }
}
