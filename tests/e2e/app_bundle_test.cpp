// Models inside apps: zips and folders built here from corpus and fixture
// files under misleading names, so only their content can give them away.
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"
#include "zip_builder.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

std::vector<ZipSpec> android_app() {
  return {{"AndroidManifest.xml", "<manifest/>", true},
          {"classes.dex", "dex\n035", true},
          {"assets/weights.bin", read_file(fixture("lite_v8.ptl")), true},
          {"res/raw/detector.dat", read_file(corpus_file("other_formats/tflite-micro__hello_world_int8.tflite")), false},
          {"assets/program", read_file(corpus_file("executorch/executorch__add.pte")), false},
          {"assets/notes.txt", "not a model", true}};
}

// Every file below `folder`, as zip records below `inside`, deflated as an
// ipa's are.
void add_folder(std::vector<ZipSpec>& specs, const fs::path& folder, const std::string& inside) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    specs.push_back(
        {inside + "/" + fs::relative(entry.path(), folder).generic_string(), read_file(entry.path().string()), true});
  }
}

nlohmann::json model_at(const nlohmann::json& app, const std::string& location) {
  for (const auto& model : app["models"]) {
    if (model["location"] == location) return model["report"];
  }
  return nullptr;
}

bool has_diagnosis(const nlohmann::json& report, const std::string& code) {
  for (const auto& diagnosis : report["diagnoses"]) {
    if (diagnosis["code"] == code) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE("formats") {
  TEST_CASE("inspect app.ipa reads zipped .mlmodelc and .mlpackage folders as one model each, weights included") {
    fs::path coreml = fs::path(MTOOL_CORPUS_DIR) / "coreml";
    if (!fs::is_directory(coreml)) return;
    std::vector<ZipSpec> specs = {{"Payload/X.app/Info.plist", "<plist/>", true},
                                  {"Payload/X.app/Bad.mlpackage/Manifest.json", "[]", true}};
    add_folder(specs, coreml / "coremltools__add_model.mlmodelc", "Payload/X.app/Model.mlmodelc");
    add_folder(specs, coreml / "dtln-aec-coreml__DTLN_AEC_128_Part1.mlpackage", "Payload/X.app/Aec.mlpackage");
    std::string dir = scratch_dir("app-coreml");
    write_file(dir + "/app.ipa", make_zip(specs));
    nlohmann::json app = run_mtool({"inspect", "--json", dir + "/app.ipa"}).json()["app"];
    CHECK(app["kind"] == "ipa");
    REQUIRE(app["models"].size() == 2);
    nlohmann::json compiled = model_at(app, "Payload/X.app/Model.mlmodelc");
    REQUIRE(compiled.is_object());
    CHECK(compiled["coreml"]["container"] == "mlmodelc");
    CHECK(compiled["coreml"]["files"].size() == 4);  // analytics/coremldata.bin is part of it
    CHECK(compiled["coreml"]["model"]["inputs"].size() == 2);
    nlohmann::json package = model_at(app, "Payload/X.app/Aec.mlpackage");
    REQUIRE(package.is_object());
    CHECK(package["coreml"]["container"] == "mlpackage");
    CHECK(package["coreml"]["root_model_path"] == "Data/com.apple.CoreML/model.mlmodel");
    CHECK(package["coreml"]["weight_file"]["present"] == true);
    CHECK(package["coreml"]["weight_file"]["blob_count"] == 12);
    CHECK(package["coreml"]["weights"]["fp32"]["bytes"] == 1979924);
    // The same as the package on its own, read from its folder.
    nlohmann::json alone =
        run_mtool({"inspect", "--json", (coreml / "dtln-aec-coreml__DTLN_AEC_128_Part1.mlpackage").string()}).json();
    CHECK(package["coreml"]["weights"] == alone["coreml"]["weights"]);
    CHECK(package["coreml"]["files"] == alone["coreml"]["files"]);
    CHECK(package["diagnoses"] == alone["diagnoses"]);
    REQUIRE(app["skipped"].size() == 1);
    CHECK(app["skipped"][0].get<std::string>().starts_with("Payload/X.app/Bad.mlpackage: damaged Core ML package: "));
  }

  TEST_CASE("an ExecuTorch program in an app without its .ptd is diagnosed as on its own; with it, found") {
    fs::path executorch = fs::path(MTOOL_CORPUS_DIR) / "executorch";
    if (!fs::is_directory(executorch)) return;
    std::string program = read_file((executorch / "executorch__linear.pte").string());
    std::string data = read_file((executorch / "executorch__linear.ptd").string());
    std::string dir = scratch_dir("app-ptd");
    write_file(dir + "/missing.apk",
               make_zip({{"AndroidManifest.xml", "<manifest/>", true}, {"assets/linear.pte", program}}));
    write_file(dir + "/present.apk", make_zip({{"AndroidManifest.xml", "<manifest/>", true},
                                               {"assets/linear.pte", program},
                                               {"assets/linear.ptd", data}}));
    nlohmann::json missing =
        model_at(run_mtool({"inspect", "--json", dir + "/missing.apk"}).json()["app"], "assets/linear.pte");
    REQUIRE(missing.is_object());
    CHECK(has_diagnosis(missing, "executorch-external-data-missing"));
    CHECK(missing["executorch"]["external_tensors"][0]["found_in"].is_null());
    nlohmann::json present =
        model_at(run_mtool({"inspect", "--json", dir + "/present.apk"}).json()["app"], "assets/linear.pte");
    REQUIRE(present.is_object());
    CHECK_FALSE(has_diagnosis(present, "executorch-external-data-missing"));
    CHECK(present["executorch"]["external_tensors"][0]["found_in"] == "linear.ptd");
    RunResult text = run_mtool({"inspect", dir + "/missing.apk"});
    CHECK(text.out.find("linear.weight float32 36 B  missing") != std::string::npos);

    std::string app = dir + "/Foo.app";
    fs::create_directories(app);
    write_file(app + "/Info.plist", "<plist/>");
    write_file(app + "/linear.pte", program);
    nlohmann::json folder = model_at(run_mtool({"inspect", "--json", app}).json()["app"], "linear.pte");
    REQUIRE(folder.is_object());
    CHECK(has_diagnosis(folder, "executorch-external-data-missing"));
  }

  TEST_CASE("inspect app.apk finds every model by content, nested zips included") {
    if (!fs::is_directory(fs::path(MTOOL_CORPUS_DIR) / "executorch")) {
      MESSAGE("skipped: no corpus at " << MTOOL_CORPUS_DIR);
      return;
    }
    std::string dir = scratch_dir("app-bundle");
    std::string apk = make_zip(android_app());
    write_file(dir + "/app.apk", apk);
    write_file(dir + "/outer.aab", make_zip({{"base/manifest/AndroidManifest.xml", "<manifest/>", true},
                                             {"base/lib/vision.aar", apk, false}}));
    RunResult result = run_mtool({"inspect", "--json", dir + "/app.apk"});
    nlohmann::json app = result.json()["app"];
    CHECK(app["kind"] == "apk");
    std::map<std::string, std::string> found;
    for (const auto& model : app["models"]) found[model["location"]] = model["report"]["format"];
    CHECK(found == std::map<std::string, std::string>{{"assets/weights.bin", "lite"},
                                                      {"res/raw/detector.dat", "tflite"},
                                                      {"assets/program", "executorch"}});
    RunResult nested = run_mtool({"inspect", "--json", dir + "/outer.aab"});
    CHECK(nested.json()["app"]["kind"] == "aab");
    CHECK(nested.json()["app"]["models"].size() == 3);
    CHECK(nested.json()["app"]["models"][0]["location"].get<std::string>().starts_with("base/lib/vision.aar!"));
    // lite_v8.ptl is bytecode 8, which LibTorch-Lite 1.10 cannot read.
    RunResult old_runtime = run_mtool({"inspect", "--runtime", "1.10", dir + "/app.apk"});
    CHECK(old_runtime.exit_code == 1);
    CHECK(old_runtime.out.find("the app's runtime cannot load assets/weights.bin") != std::string::npos);
    CHECK(old_runtime.one_error_line());
  }

  TEST_CASE("inspect Foo.app/ walks the folder") {
    if (!fs::is_directory(fs::path(MTOOL_CORPUS_DIR) / "executorch")) return;
    std::string dir = scratch_dir("app-folder") + "/Foo.app";
    fs::create_directories(dir + "/Frameworks");
    write_file(dir + "/Info.plist", "<plist/>");
    fs::copy_file(corpus_file("executorch/executorch__linear.pte"), dir + "/model");
    write_file(dir + "/Frameworks/bundle.zip", make_zip(android_app()));
    RunResult result = run_mtool({"inspect", "--json", dir});
    nlohmann::json app = result.json()["app"];
    CHECK(app["kind"] == "app");
    CHECK(app["models"].size() == 4);
  }
}
