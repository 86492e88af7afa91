#include <doctest/doctest.h>

#include "inspect/inspector.h"
#include "test_bytes.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::make_zip;

namespace {

ModelReport inspect(std::string_view bytes, InspectOptions options = {}) {
  return inspect_bytes(bytes, "file", options);
}

bool has_diagnosis(const ModelReport& report, std::string_view code) {
  for (const Diagnosis& diagnosis : report.diagnoses) {
    if (diagnosis.code == code) return true;
  }
  return false;
}

// pickle.dumps(collections.OrderedDict(), protocol=2)
const std::string kEmptyOrderedDict = test::from_hex("80026363" "6f6c6c656374696f6e730a4f726465726564446963740a71002952710" "12e");

}  // namespace

TEST_CASE("PyTorch zips are told apart by their records, not their names") {
  ModelReport saved = inspect(make_zip({{"weights/data.pkl", kEmptyOrderedDict}, {"weights/version", "3\n"}}));
  CHECK(saved.format == ModelFormat::TorchSave);
  CHECK(saved.archive_name == "weights");
  CHECK(saved.file_format_version == 3);
  CHECK(has_diagnosis(saved, "torch-save-not-torchscript"));

  ModelReport scripted = inspect(make_zip({{"m/data.pkl", kEmptyOrderedDict}, {"m/constants.pkl", kEmptyOrderedDict},
                                           {"m/code/__torch__.py", "class M(Module):\n  def forward(self) -> int:\n"
                                                                   "    return torch.add(1, 2)\n"},
                                           {"m/version", "5\n"}}));
  CHECK(scripted.format == ModelFormat::TorchScript);
  CHECK(scripted.file_format_version == 5);
  CHECK(scripted.operators_source == "code");

  ModelReport other = inspect(make_zip({{"a.txt", "x"}, {"b/c.txt", "y"}}));
  CHECK(other.format == ModelFormat::Zip);
  CHECK(has_diagnosis(other, "zip-not-model"));
}

TEST_CASE("--runtime: a file format newer than the release reads") {
  std::string zip = make_zip({{"m/data.pkl", kEmptyOrderedDict}, {"m/constants.pkl", kEmptyOrderedDict},
                              {"m/version", "10\n"}});
  InspectOptions options;
  options.runtime = find_runtime_release("1.10");
  ModelReport report = inspect(zip, options);
  CHECK(has_diagnosis(report, "file-format-too-new-for-runtime"));
  CHECK(report.loadable_by->torch_jit_load == "1.12");
}

TEST_CASE("foreign formats are named") {
  SUBCASE("safetensors") {
    std::string header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"__metadata__":{"k":"v"}})";
    std::string file = std::string(1, static_cast<char>(header.size())) + std::string(7, '\0') + header + std::string(24, '\0');
    ModelReport report = inspect(file);
    CHECK(report.format == ModelFormat::Safetensors);
    REQUIRE(report.tensors);
    CHECK(report.tensors->elements == 6);
    CHECK(report.tensors->bytes == 24);
    CHECK(report.producer["k"] == "v");
  }
  SUBCASE("GGUF") {
    std::string file("GGUF\x03\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00", 24);
    ModelReport report = inspect(file);
    CHECK(report.format == ModelFormat::Gguf);
    CHECK(report.producer["tensor_count"] == "2");
  }
  SUBCASE("ExecuTorch, TFLite and lite flatbuffer identifiers") {
    // The identifier names the format; the zeros after it are no flatbuffer (the root
    // table's vtable is empty), so each is reported as that format, damaged.
    for (const auto& entry : {std::pair{"ET12", ModelFormat::ExecuTorch}, std::pair{"TFL3", ModelFormat::TfLite},
                              std::pair{"PTMF", ModelFormat::LiteFlatbuffer}}) {
      // Named copies, not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
      const char* identifier = entry.first;
      ModelFormat format = entry.second;
      ModelReport report = inspect(std::string("\x10\0\0\0", 4) + identifier + std::string(16, '\0'));
      CAPTURE(identifier);
      CHECK(report.format == ModelFormat::Corrupt);
      CHECK(report.damaged_format == format);
      CHECK(report.damage.find("vtable") != std::string::npos);
    }
  }
  SUBCASE("ONNX: ir_version then a graph") {
    CHECK(inspect(std::string("\x08\x07\x12\x07pytorch\x3a\x00", 13)).format == ModelFormat::Onnx);
  }
  SUBCASE("Core ML: specification version then a model type field") {
    // field 1 = 4, field 2 (description) empty, field 300 empty
    CHECK(inspect(std::string("\x08\x04\x12\x00\xe2\x12\x00", 7)).format == ModelFormat::CoreMl);
  }
}

TEST_CASE("failed downloads are recognised") {
  ModelReport lfs = inspect("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1234\n");
  CHECK(has_diagnosis(lfs, "git-lfs-pointer"));
  CHECK(lfs.diagnoses[0].message.find("1234") != std::string::npos);
  CHECK(has_diagnosis(inspect("\n<!DOCTYPE html><html><title>Sign in</title></html>"), "download-error-page"));
  CHECK(has_diagnosis(inspect(R"({"error":"not found"})"), "download-error-page"));
  CHECK(has_diagnosis(inspect(R"(<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>)"),
                      "download-error-page"));
}

TEST_CASE("empty, unknown and damaged content") {
  CHECK(has_diagnosis(inspect(""), "empty-file"));
  ModelReport random = inspect(std::string("\x01\x02\x03\xfe\xff", 5));
  CHECK(random.format == ModelFormat::Unknown);
  CHECK(has_diagnosis(random, "unrecognised"));
  std::string zip = make_zip({{"m/data.pkl", std::string(500, 'a')}});
  ModelReport truncated = inspect(std::string_view(zip).substr(0, 300));
  CHECK(truncated.format == ModelFormat::Corrupt);
  CHECK(truncated.damaged_format == ModelFormat::Zip);
  CHECK(has_diagnosis(truncated, "truncated"));
  ModelReport bad_pickle = inspect(std::string_view("\x80\x02]q\x00h\x07.", 8));
  CHECK(bad_pickle.format == ModelFormat::Corrupt);
  CHECK(bad_pickle.damage.find("memo entry 7") != std::string::npos);
}
