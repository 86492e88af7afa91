// The real files in ../shared/corpus, classified as their MANIFEST.tsv says.
// Skipped (exit 77, which ctest reports as skipped) when the corpus is absent.
#include <doctest/doctest.h>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(separator, start);
    fields.push_back(line.substr(start, end - start));
    if (end == std::string::npos) return fields;
    start = end + 1;
  }
}

std::vector<Row> read_manifest(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = split(line, '\t');
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = split(line, '\t');
    Row row;
    for (size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

// The manifests describe formats in words; mtool's names for them.
std::string expected_format(const Row& row) {
  if (row.count("format")) return row.at("format");  // demo-apps uses mtool's names
  const std::string& text = row.at("detected_format");
  auto starts = [&](const char* prefix) { return text.rfind(prefix, 0) == 0; };
  if (starts("TorchScript zip archive")) return "torchscript";
  if (starts("torch.save zip")) return "torch.save";
  if (starts("legacy torch.save")) return "torch.save-legacy";
  if (starts("ExecuTorch")) return "executorch";
  if (starts("ONNX")) return "onnx";
  if (starts("TFLite")) return "tflite";
  if (starts("safetensors")) return "safetensors";
  if (starts("GGUF")) return "gguf";
  if (starts("NumPy .npz") || starts("zip")) return "zip";
  if (starts("empty") || starts("unknown")) return "unknown";
  return "?" + text;
}

fs::path corpus_dir() {
  fs::path dir(MTOOL_CORPUS_DIR);
  if (!fs::is_directory(dir)) {
    std::printf("SKIPPED: the shared corpus is not at %s\n", dir.c_str());
    std::exit(77);
  }
  return dir;
}

}  // namespace

TEST_SUITE("corpus") {
  TEST_CASE("every manifested model file is classified as its manifest says") {
    fs::path dir = corpus_dir();
    size_t checked = 0;
    for (const char* folder : {"demo-apps", "torchscript", "torchscript_mobile", "torch_save", "executorch",
                               "other_formats", "edge_cases"}) {
      fs::path manifest = dir / folder / "MANIFEST.tsv";
      if (!fs::exists(manifest)) continue;
      for (const Row& row : read_manifest(manifest)) {
        fs::path file = dir / row.at("file");
        CAPTURE(file.string());
        if (!fs::exists(file)) continue;  // the manifest may list more than is shipped
        RunResult result = run_mtool({"inspect", "--json", file.string()});
        REQUIRE(result.signal == 0);
        auto report = result.json();
        CHECK(report["format"] == expected_format(row));
        std::string version = row.count("file_format_version") ? row.at("file_format_version")
                                                                : row.count("archive_version_record") ? row.at("archive_version_record") : "";
        if (!version.empty()) CHECK(report["file_format_version"] == std::stoi(version));
        std::string bytecode = row.count("bytecode_version") ? row.at("bytecode_version") : "";
        bool numeric = !bytecode.empty() && std::isdigit(static_cast<unsigned char>(bytecode[0]));
        if (numeric) CHECK(report["bytecode_version"] == std::stoi(bytecode));
        if (!numeric) CHECK(report["bytecode_version"].is_null());
        if (row.count("loads_with") && row.at("loads_with").find("torchvision::nms") != std::string::npos) {
          CHECK(result.out.find("custom-operators") != std::string::npos);
        }
        ++checked;
      }
    }
    MESSAGE("corpus files checked: " << checked);
    CHECK(checked >= 30);
  }

  TEST_CASE("nothing in the corpus crashes inspect") {
    fs::path dir = corpus_dir();
    size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename() == "MANIFEST.tsv") continue;
      RunResult result = run_mtool({"inspect", "--json", entry.path().string()});
      CAPTURE(entry.path().string());
      CHECK(result.signal == 0);
      CHECK((result.exit_code == 0 || result.exit_code == 1));
      CHECK(result.seconds < 20);  // a guard against hangs, not a timing: CI machines are shared
      CHECK_NOTHROW(result.json());
      ++files;
    }
    MESSAGE("corpus files inspected: " << files);
  }
}
