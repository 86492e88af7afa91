// The built-in image-quality model (data/iqa_model.pt, embedded in mtool):
// `mtool score` with no --model loads it, scores deterministically, and ranks
// the bundled photo above its blurred, noisy and JPEG-damaged versions; native
// crops decoded from a JPEG's rectangle equal crops of its full decode.
#include <doctest/doctest.h>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;

namespace {

std::string quality(const std::string& name) { return fixture("score/quality/" + name); }

}  // namespace

TEST_SUITE("quality") {
  TEST_CASE("no --model: the embedded model scores 0 to 100 and names a defect") {
    RunResult result = run_mtool({"score", "--json", quality("pristine.jpg")});
    CAPTURE(result.err);
    REQUIRE(result.exit_code == 0);
    json line = result.json_lines().at(0);
    CHECK(line["model"] == "mtool-iqa");
    CHECK(line["model_version"].is_string());
    CHECK(line["input_shape"] == json{1, 15, 128, 128});  // a global view and 4 native crops
    const json& output = line["output"];
    CHECK(output["kind"] == "quality");
    CHECK(output["score"].get<double>() >= 0);
    CHECK(output["score"].get<double>() <= 100);
    CHECK(output["defects"].size() == 9);
    double total = 0;
    for (const auto& [name, probability] : output["defects"].items()) total += probability.get<double>();
    CHECK(total == doctest::Approx(1.0));
    CHECK(output["defects"].contains(output["defect"].get<std::string>()));

    RunResult text = run_mtool({"score", quality("pristine.jpg")});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find(" (") != std::string::npos);  // "photo.jpg  72.4  (slight blur)"
  }

  TEST_CASE("--show-recipe names the built-in model, not the scratch file it is loaded from") {
    RunResult result = run_mtool({"score", "--show-recipe"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    json shown = result.json();
    CHECK(shown["model"] == "(built-in)");
    CHECK(shown["recipe"]["name"] == "mtool-iqa");
    CHECK(shown["recipe"]["resize"] == json{128, 128});
    CHECK(shown["recipe"]["native_crops"] == json{{"count", 4}, {"size", 128}});
  }

  TEST_CASE("scores are deterministic, with any thread count or batch") {
    auto score = [](std::vector<std::string> extra) {
      std::vector<std::string> args = {"score", "--json", quality("pristine.jpg"), quality("noisy.png")};
      args.insert(args.end(), extra.begin(), extra.end());
      RunResult result = run_mtool(args);
      REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      std::vector<json> lines = result.json_lines();
      return std::pair{lines[0]["output"]["score"].get<double>(), lines[1]["output"]["score"].get<double>()};
    };
    auto first = score({});
    auto again = score({});
    CHECK(first.first == again.first);
    CHECK(first.second == again.second);
    auto batched = score({"--batch", "2", "--threads", "2"});
    CHECK(batched.first == doctest::Approx(first.first).epsilon(1e-4));
    CHECK(batched.second == doctest::Approx(first.second).epsilon(1e-4));
  }

  TEST_CASE("the pristine bundled photo ranks above its blurred, noisy and JPEG-damaged versions") {
    RunResult result = run_mtool({"score", "--json", quality("pristine.jpg"), quality("blurred.png"), quality("noisy.png"),
                                  quality("jpeg_q8.jpg")});
    REQUIRE(result.exit_code == 0);
    std::vector<json> lines = result.json_lines();
    double pristine = lines[0]["output"]["score"].get<double>();
    for (size_t i = 1; i < lines.size(); ++i) {
      CAPTURE(lines[i]["path"]);
      CAPTURE(pristine);
      CHECK(lines[i]["output"]["score"].get<double>() < pristine);
    }
    CHECK(lines[1]["output"]["defect"] != "none");
  }

  TEST_CASE("native crops decoded from the JPEG's rectangle only equal crops of the fully decoded photo") {
    // patches.jpg (1600x1200) shrinks on load for the 64-px global view, so its crops are decoded
    // again from the rectangle around them; --exact-resize decodes it in full and cuts them from
    // that. crop_statistics.pt sums position-weighted statistics of the 4 crops only.
    auto statistics = [](std::vector<std::string> extra) {
      std::vector<std::string> args = {"score", "--json", "-m", quality("crop_statistics.pt"), quality("patches.jpg")};
      args.insert(args.end(), extra.begin(), extra.end());
      RunResult result = run_mtool(args);
      REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      return result.json_lines().at(0)["output"];
    };
    json rectangle = statistics({});
    json full = statistics({"--exact-resize"});
    CAPTURE(rectangle.dump());
    CAPTURE(full.dump());
    // The output's four statistics vectors (min, max, mean and std of each), equal to the last bit.
    REQUIRE(rectangle["kind"] == "tensors");
    REQUIRE(rectangle["tensors"].size() == 4);
    CHECK(rectangle == full);
    CHECK(rectangle["tensors"][3]["mean"].get<double>() != doctest::Approx(0.0));
  }
}
