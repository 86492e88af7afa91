// Models inside apps: zips and folders built here from corpus and fixture
// files under misleading names, so only their content can give them away.
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"
#include "zip_builder.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

std::string corpus_file(const std::string& name) { return (fs::path(MTOOL_CORPUS_DIR) / name).string(); }

std::vector<ZipSpec> android_app() {
  return {{"AndroidManifest.xml", "<manifest/>", true},
          {"classes.dex", "dex\n035", true},
          {"assets/weights.bin", read_file(fixture("lite_v8.ptl")), true},
          {"res/raw/detector.dat", read_file(corpus_file("other_formats/tflite-micro__hello_world_int8.tflite")), false},
          {"assets/program", read_file(corpus_file("executorch/executorch__add.pte")), false},
          {"assets/notes.txt", "not a model", true}};
}

}  // namespace

TEST_SUITE("formats") {
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
