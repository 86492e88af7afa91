// The built-in image-quality model (data/iqa_model.pt, embedded in mtool):
// `mtool score` with no --model loads it, scores deterministically, and ranks
// the bundled photo above its blurred, noisy and JPEG-damaged versions.
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
    CHECK(line["input_shape"] == json{1, 3, 384, 384});
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
    CHECK(shown["recipe"]["resize"] == 384);
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
}
