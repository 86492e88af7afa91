// --try-load asks the LibTorch that mtool links (through libmtool_runtime.so,
// opened with dlopen) to load the file, so mtool's diagnoses can be checked
// against LibTorch's real behaviour.
#include <doctest/doctest.h>
#include <cstdlib>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;

namespace {
json diagnosis(const json& report, const std::string& code) {
  for (const auto& d : report["diagnoses"]) {
    if (d["code"] == code) return d;
  }
  return nullptr;
}
}  // namespace

TEST_SUITE("try-load") {
  TEST_CASE("LibTorch loads what inspect says it loads") {
    for (const char* name : {"scripted.pt", "traced.pt", "lite_v8.ptl", "lite_v5.ptl", "quantized_dynamic.pt"}) {
      CAPTURE(name);
      RunResult result = run_mtool({"inspect", "--json", "--try-load", fixture(name)});
      json report = result.json();
      CHECK(diagnosis(report, "loaded") != nullptr);
      CHECK(diagnosis(report, "load-failed") == nullptr);
    }
  }

  TEST_CASE("LibTorch fails where inspect says it fails, with the message inspect quotes") {
    RunResult result = run_mtool({"inspect", "--json", "--try-load", fixture("state_dict.pt")});
    json report = result.json();
    json failed = diagnosis(report, "load-failed");
    REQUIRE(failed != nullptr);
    CHECK(failed["message"].get<std::string>().find("constants.pkl") != std::string::npos);
    CHECK(diagnosis(report, "torch-save-not-torchscript")["message"].get<std::string>().find(
              "failed locating file constants.pkl") != std::string::npos);

    // Without torchvision's library (which mtool loads when Debian's python3-torchvision is installed).
    setenv("MTOOL_TORCHVISION_OPS", "", 1);
    RunResult nms = run_mtool({"inspect", "--json", "--try-load", fixture("torchvision_nms.pt")});
    unsetenv("MTOOL_TORCHVISION_OPS");
    json nms_failed = diagnosis(nms.json(), "load-failed");
    REQUIRE(nms_failed != nullptr);
    CHECK(nms_failed["message"].get<std::string>().find("torchvision::nms") != std::string::npos);
  }

  TEST_CASE("the runtime library is loaded only when asked for") {
    RunResult plain = run_mtool({"inspect", fixture("scripted.pt")});
    RunResult loaded = run_mtool({"inspect", "--try-load", fixture("scripted.pt")});
    // LibTorch's start-up costs ~100 MB of memory; inspect alone stays small.
    CHECK(plain.max_rss_kib - startup_rss_kib() < 16 * 1024);
    CHECK(loaded.max_rss_kib > plain.max_rss_kib + 50 * 1024);
  }
}
