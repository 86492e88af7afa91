// torchvision's custom operators (nms, roi_align) and --load-ops: models that
// Python runs after `import torchvision` run in mtool too, with the library
// Debian's python3-torchvision ships; PyTorch's Python is the oracle.
#include <doctest/doctest.h>
#include <cstdlib>
#include <filesystem>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kTorchvision = "/usr/lib/python3/dist-packages/torchvision";

bool torchvision_present() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kTorchvision, error)) {
    if (entry.path().filename().string().starts_with("_C.")) return true;
  }
  return false;
}

// scripts/check_lite_outputs.py: Python (torchvision imported) runs `original` and `outputs` on the same inputs.
json python_oracle(const std::string& inputs, const std::string& original, const std::string& output,
                   const std::string& dir, const std::string& qengine = "") {
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/check_lite_outputs.py " +
                        (qengine.empty() ? "" : "--qengine " + qengine + " ") + "'" + inputs + "' " + original + " " +
                        output + " 2>/dev/null > " + dir + "/oracle.json";
  REQUIRE(std::system(command.c_str()) == 0);
  return json::parse(read_file(dir + "/oracle.json"));
}

// Runs mtool with MTOOL_TORCHVISION_OPS set to `value` (empty: as if python3-torchvision were absent).
RunResult run_with_torchvision(const std::string& value, const std::vector<std::string>& args) {
  setenv("MTOOL_TORCHVISION_OPS", value.c_str(), 1);
  RunResult result = run_mtool(args);
  unsetenv("MTOOL_TORCHVISION_OPS");
  return result;
}

const char* const kNmsInputs = R"([{"type":"Tensor","shape":[40,4]},{"type":"Tensor","shape":[40]}])";

}  // namespace

TEST_SUITE("bench") {
  TEST_CASE("a model calling torchvision::nms runs with torchvision's operators, as in Python") {
    if (!torchvision_present()) {
      MESSAGE("SKIPPED: Debian's python3-torchvision (" << kTorchvision << "/_C*.so) is not installed");
      return;
    }
    RunResult result =
        run_mtool({"bench", "--json", "--runs", "3", "--loads", "1", "--warmup", "0", "--input-shape", "40,4",
                   "--input-shape", "40", fixture("torchvision_nms.pt"), fixture("torchvision_nms.ptl")});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);  // was: Unknown builtin op: torchvision::nms
    CHECK(result.err.find("mtool: note: loaded torchvision's operators from " + std::string(kTorchvision) + "/_C") !=
          std::string::npos);
    std::vector<json> models = result.json_lines();
    REQUIRE(models.size() == 2);
    for (const json& model : models) {
      CAPTURE(model.dump());
      CHECK(model["error"].is_null());
      // Python's answer on the same deterministic inputs (scripts/make_fixtures.py).
      CHECK(model["output"] == expected_fixture("torchvision_nms.pt")["output"]);
    }
  }

  TEST_CASE("--load-ops: a library that is missing or will not load is one error line, exit 2") {
    RunResult missing = run_mtool(
        {"bench", "--load-ops", "/nonexistent/libops.so", "--input-shape", "1,3,8,8", fixture("scripted.pt")});
    CHECK(missing.exit_code == 2);
    CHECK(missing.one_error_line());
    CHECK(missing.err.find("--load-ops /nonexistent/libops.so: no such file") != std::string::npos);
    RunResult not_library = run_mtool(
        {"bench", "--load-ops", fixture("expected.json"), "--input-shape", "1,3,8,8", fixture("scripted.pt")});
    CHECK(not_library.exit_code == 2);
    CHECK(not_library.one_error_line());
    CHECK(not_library.err.find("cannot load it:") != std::string::npos);
    RunResult inspect = run_mtool({"inspect", "--load-ops", fixture("expected.json"), fixture("scripted.pt")});
    CHECK(inspect.exit_code == 2);
    CHECK(inspect.err.find("--load-ops goes with --try-load") != std::string::npos);
  }
}

TEST_SUITE("backport") {
  TEST_CASE("backport and convert of torchvision::nms models, verified, and PyTorch agrees") {
    if (!torchvision_present()) {
      MESSAGE("SKIPPED: Debian's python3-torchvision is not installed");
      return;
    }
    std::string dir = scratch_dir("custom-operators");
    RunResult backported = run_mtool({"backport", "--json", fixture("torchvision_nms.ptl"), "--to", "5", "-o",
                                      dir + "/nms.v5.ptl", "--input-shape", "40,4", "--input-shape", "40"});
    REQUIRE_MESSAGE(backported.exit_code == 0, backported.err);
    CHECK(backported.json()["verified"] == true);
    CHECK(backported.json()["max_abs_diff"] == 0.0);
    json oracle = python_oracle(kNmsInputs, fixture("torchvision_nms.ptl"), dir + "/nms.v5.ptl", dir);
    CHECK(oracle[dir + "/nms.v5.ptl"]["bytecode_version"] == 5);
    CHECK(oracle[dir + "/nms.v5.ptl"]["max_abs_diff"] == 0.0);

    // --load-ops naming the same library: loaded once, the model runs.
    std::string library;
    for (const auto& entry : fs::directory_iterator(kTorchvision)) {
      if (entry.path().filename().string().starts_with("_C.")) library = entry.path().string();
    }
    RunResult converted =
        run_with_torchvision("", {"convert", "--json", fixture("torchvision_nms.pt"), "-o", dir + "/nms.ptl",
                                  "--load-ops", library, "--input-shape", "40,4", "--input-shape", "40"});
    REQUIRE_MESSAGE(converted.exit_code == 0, converted.err);
    CHECK(converted.err.find("loaded custom operators from " + library) != std::string::npos);
    CHECK(converted.json()["max_abs_diff"] == 0.0);
    oracle = python_oracle(kNmsInputs, fixture("torchvision_nms.pt"), dir + "/nms.ptl", dir);
    CHECK(oracle[dir + "/nms.ptl"]["max_abs_diff"] == 0.0);
  }

  TEST_CASE("without torchvision's library, mtool says it is absent and LibTorch's error names the fix") {
    std::string dir = scratch_dir("custom-operators-absent");
    RunResult result = run_with_torchvision("", {"convert", fixture("torchvision_nms.pt"), "-o", dir + "/out.ptl"});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("mtool: note: " + fixture("torchvision_nms.pt") +
                          " calls torchvision operators, and "
                          "torchvision's operator library is absent") != std::string::npos);
    std::string last = result.err.substr(result.err.find("\nmtool: error: ") + 1);
    CHECK(last.find("torchvision_nms.pt: Unknown builtin op: torchvision::nms") != std::string::npos);
    CHECK(last.find("--load-ops LIB.so") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/out.ptl"));
  }

  TEST_CASE("the D2Go demo apps' detection models convert and run, as Python runs them") {
    std::string android = MTOOL_CORPUS_DIR "/demo-apps/android_d2go.pt";
    if (!fs::exists(android) || !torchvision_present()) {
      MESSAGE("SKIPPED: the corpus's demo-apps/android_d2go.pt or python3-torchvision is absent");
      return;
    }
    std::string dir = scratch_dir("custom-operators-d2go");
    // D2Go is quantized for phones: QNNPACK, mtool's default (with oneDNN, x86's default, Python's own run
    // corrupts its heap; mtool's aborted, exit 134, before QNNPACK became its default).
    for (const char* name : {"android_d2go.pt", "ios_d2go_optimized.pt"}) {
      CAPTURE(name);
      std::string model = std::string(MTOOL_CORPUS_DIR "/demo-apps/") + name;
      std::string output = dir + "/" + name + ".ptl";
      RunResult converted = run_mtool({"convert", "--json", model, "-o", output, "--input-shape", "3,320,320"});
      REQUIRE_MESSAGE(converted.exit_code == 0, converted.err);  // was: Unknown builtin op: torchvision::nms
      json answer = converted.json();
      CHECK(answer["verified"] == true);
      CHECK(answer["qengine"] == "qnnpack");
      CHECK(answer["arguments"][0]["shapes"] == json::parse("[[3, 320, 320]]"));
      json oracle = python_oracle(R"([{"type":"List[Tensor]","shapes":[[3,320,320]]}])", model, output, dir, "qnnpack");
      CHECK(oracle[output]["max_abs_diff"].get<double>() <= 1e-4);
      RunResult bench = run_mtool(
          {"bench", "--json", "--runs", "1", "--loads", "1", "--warmup", "0", "--input-shape", "3,320,320", model});
      REQUIRE_MESSAGE(bench.exit_code == 0, bench.err);
      CHECK(bench.json()["output"] == oracle["output"]);
    }
  }
}

TEST_SUITE("try-load") {
  TEST_CASE("--try-load loads torchvision's operators first for a model calling them") {
    if (!torchvision_present()) {
      MESSAGE("SKIPPED: Debian's python3-torchvision is not installed");
      return;
    }
    RunResult result = run_mtool({"inspect", "--json", "--try-load", fixture("torchvision_nms.pt")});
    CHECK(result.err.find("loaded torchvision's operators") != std::string::npos);
    bool loaded = false;
    json report = result.json();
    for (const json& diagnosis : report["diagnoses"]) loaded = loaded || diagnosis["code"] == "loaded";
    CHECK(loaded);
  }
}
