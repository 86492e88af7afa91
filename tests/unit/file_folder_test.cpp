#include <doctest/doctest.h>

#include "archive/file_folder.h"
#include "inspect/probes.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::make_zip;

TEST_CASE("a zip folder is the records below its prefix, read stored or inflated") {
  std::string text(3000, 'w');
  std::string bytes = make_zip({{"Payload/X.app/M.mlmodelc/metadata.json", "[{}]"},
                                {"Payload/X.app/M.mlmodelc/weights/weight.bin", text, true},
                                {"Payload/X.app/M.mlmodelc/weights/", ""},
                                {"Payload/X.app/Other/metadata.json", "x"}});
  ZipArchive zip(bytes);
  ZipFolder folder(zip, "Payload/X.app/M.mlmodelc/", 1 << 20);
  CHECK(folder.name() == "M.mlmodelc");
  CHECK(folder.file_size("metadata.json") == 4);
  CHECK(folder.file_size("weights/weight.bin") == 3000);
  CHECK_FALSE(folder.file_size("weights/"));  // a directory record is no file
  CHECK_FALSE(folder.file_size("../Other/metadata.json"));
  CHECK(std::string(folder.read("weights/weight.bin").bytes()) == text);
  CHECK(std::string(folder.read("metadata.json").bytes()) == "[{}]");
  std::vector<FolderFile> all = folder.files(100, true);
  REQUIRE(all.size() == 2);
  CHECK(all[0].path == "metadata.json");
  CHECK(all[1].path == "weights/weight.bin");
  CHECK(folder.files(100, false).size() == 1);
  CHECK(parent_folder("Data/com.apple.CoreML/model.mlmodel") == "Data/com.apple.CoreML");
  CHECK(join_path("", "a") == "a");
}

TEST_CASE("a compiled Core ML model whose weight file is too large to inflate is reported, its weights a problem") {
  std::string bytes = make_zip({{"M.mlmodelc/metadata.json", R"([{"specificationVersion": 7}])"},
                                {"M.mlmodelc/coremldata.bin", "x"},
                                {"M.mlmodelc/weights/weight.bin", std::string(4096, '\0'), true}});
  ZipArchive zip(bytes);
  ModelReport report;
  REQUIRE(try_inspect_model_folder(ZipFolder(zip, "M.mlmodelc/", 1000), report));
  REQUIRE(report.coreml);
  CHECK(report.coreml->container == "mlmodelc");
  REQUIRE(report.coreml->weight_file);
  CHECK(report.coreml->weight_file->size == 4096);
  REQUIRE(report.coreml->weight_file->problems.size() == 1);
  CHECK(report.coreml->weight_file->problems[0].find("weights/weight.bin could not be read") == 0);
}
