// ExecuTorch and TFLite through the real binary: speed on 1 GiB files, what
// people read, and --selected-ops-yaml's refusals. Field-by-field agreement
// with flatc is checked by scripts/check_flatbuffers.py (ctest flatbuffer-oracle).
#include <doctest/doctest.h>
#include <filesystem>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

bool have_corpus() { return fs::is_directory(fs::path(MTOOL_CORPUS_DIR) / "executorch"); }

// A copy of `original` grown to 1 GiB with a sparse tail, as a model with a
// gigabyte of weights after its flatbuffer.
std::string gigabyte_copy(const std::string& original, const std::string& name) {
  std::string path = scratch_dir("flatbuffer-formats") + "/" + name;
  fs::copy_file(original, path, fs::copy_options::overwrite_existing);
  fs::resize_file(path, 1ull << 30);
  return path;
}


}  // namespace

TEST_SUITE("formats") {
  TEST_CASE("a 1 GiB .pte and .tflite are inspected without reading their payload") {
    if (!have_corpus()) {
      MESSAGE("skipped: no corpus at " << MTOOL_CORPUS_DIR);
      return;
    }
    for (const char* name : {"executorch/executorch__arduino_KeywordSpotting_model.pte",
                             "other_formats/tflite-micro__hello_world_int8.tflite"}) {
      std::string big = gigabyte_copy(corpus_file(name), fs::path(name).filename().string());
      // Memory, not time (a timed test fails on a loaded or sanitized build): a
      // reader that touched the payload would grow by up to 1 GiB.
      RunResult run = run_mtool({"inspect", "--json", big});
      MESSAGE(std::string(name) << " at 1 GiB: " << run.seconds * 1000 << " ms, " << run.max_rss_kib << " KiB peak");
      CHECK(run.json().is_object());
      CHECK(run.max_rss_kib - startup_rss_kib() < 32 * 1024);
      fs::remove(big);
    }
  }

  TEST_CASE("an ExecuTorch program's methods, operators and constants are shown") {
    if (!have_corpus()) return;
    RunResult result = run_mtool({"inspect", corpus_file("executorch/executorch__arduino_KeywordSpotting_model.pte")});
    CHECK(result.out.find("forward(float32[1, 1, 49, 10]) -> (float32[1, 12])") != std::string::npos);
    CHECK(result.out.find("cortex_m::quantized_conv2d.out ×4") != std::string::npos);
    CHECK(result.out.find("38.3 KiB in the constant segment") != std::string::npos);
    CHECK(result.out.find("executorch-missing-operator") != std::string::npos);
  }

  TEST_CASE("a TFLite model's subgraph endpoints carry dtype, shape and quantization") {
    if (!have_corpus()) return;
    RunResult result = run_mtool({"inspect", corpus_file("other_formats/tflite-micro__hello_world_int8.tflite")});
    CHECK(result.out.find("in  serving_default_dense_input:0 int8[-1, 1] · scale 0.0244801 zero point -128") !=
          std::string::npos);
    CHECK(result.out.find("min runtime  TFLite 1.14.0") != std::string::npos);
  }

  TEST_CASE("--selected-ops-yaml refuses what no selective build can use, in one line") {
    RunResult torchscript = run_mtool({"inspect", "--selected-ops-yaml", fixture("scripted.pt")});
    CHECK(torchscript.exit_code == 1);
    CHECK(torchscript.one_error_line());
    CHECK(torchscript.out.empty());
    if (!have_corpus()) return;
    RunResult mixed = run_mtool({"inspect", "--selected-ops-yaml", fixture("lite_v7.ptl"),
                                 corpus_file("executorch/executorch__add.pte")});
    CHECK(mixed.exit_code == 1);
    CHECK(mixed.one_error_line());
    CHECK(mixed.err.find("separate operator lists") != std::string::npos);
  }
}
