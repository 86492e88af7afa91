// Diagnoses decided from the report: the runtime's bounds against the file's
// versions, custom and quantized operators.
#include <doctest/doctest.h>

#include <algorithm>

#include "inspect/diagnoses.h"

using namespace mtool;

namespace {

ModelReport lite(int64_t bytecode) {
  ModelReport report;
  report.path = "net.ptl";
  report.format = ModelFormat::Lite;
  report.bytecode_version = bytecode;
  report.file_format_version = 6;
  return report;
}

std::vector<std::string> codes(ModelReport report, const char* runtime = nullptr) {
  InspectOptions options;
  if (runtime != nullptr) options.runtime = find_runtime_release(runtime);
  add_diagnoses(report, options);
  std::vector<std::string> out;
  for (const Diagnosis& diagnosis : report.diagnoses) out.push_back(diagnosis.code);
  return out;
}

OperatorUse op(const char* name) {
  OperatorUse use;
  use.name = name;
  use.count = 1;
  return use;
}

bool has(const std::vector<std::string>& list, const char* code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

TEST_CASE("a lite model's bytecode against the release the app ships") {
  std::optional<RuntimeRelease> release = find_runtime_release("1.10");
  REQUIRE(release);
  CHECK(has(codes(lite(release->max_bytecode + 1), "1.10"), "bytecode-too-new-for-runtime"));
  CHECK_FALSE(has(codes(lite(release->max_bytecode), "1.10"), "bytecode-too-new-for-runtime"));
  CHECK_FALSE(has(codes(lite(release->max_bytecode), "1.10"), "bytecode-too-old-for-runtime"));
  if (release->min_bytecode > 0) {
    CHECK(has(codes(lite(release->min_bytecode - 1), "1.10"), "bytecode-too-old-for-runtime"));
  }
  // Without --runtime there is no release to compare with.
  CHECK_FALSE(has(codes(lite(release->max_bytecode + 1)), "bytecode-too-new-for-runtime"));
}

TEST_CASE("operators outside LibTorch's namespaces, and quantized ones") {
  ModelReport report = lite(8);
  report.operators = {op("aten::conv2d"), op("torchvision::nms"), op("quantized::linear")};
  std::vector<std::string> found = codes(report);
  CHECK(has(found, "custom-operators"));
  CHECK(has(found, "quantized-model"));

  ModelReport plain = lite(8);
  plain.operators = {op("aten::conv2d"), op("prim::Constant")};
  std::vector<std::string> none = codes(plain);
  CHECK_FALSE(has(none, "custom-operators"));
  CHECK_FALSE(has(none, "quantized-model"));
}
