// Every fixture that scripts/make_fixtures.py wrote, inspected by the real
// binary and compared with what PyTorch's own Python API said about it.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <algorithm>
#include <set>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;

namespace {

json expected_fixtures() { return json::parse(read_file(fixture("expected.json")))["fixtures"]; }

std::set<std::string> diagnosis_codes(const json& report) {
  std::set<std::string> codes;
  for (const auto& diagnosis : report["diagnoses"]) codes.insert(diagnosis["code"].get<std::string>());
  return codes;
}

std::set<std::string> operator_names(const json& report, bool with_overload) {
  std::set<std::string> names;
  for (const auto& op : report["operators"]) {
    std::string name = op["name"];
    std::string overload = op["overload"];
    names.insert(with_overload && !overload.empty() ? name + "." + overload : name);
  }
  return names;
}

std::string without_overload(const std::string& name) {
  size_t colons = name.find("::");
  size_t dot = name.find('.', colons == std::string::npos ? 0 : colons);
  return dot == std::string::npos ? name : name.substr(0, dot);
}

bool has_error(const json& report) {
  for (const auto& diagnosis : report["diagnoses"]) {
    if (diagnosis["severity"] == "error") return true;
  }
  return false;
}

void check_operators(const json& expected, const json& report) {
  if (!expected.contains("operators")) return;
  if (expected["format"] == "lite") {
    // Bytecode names every operator with its overload: exactly PyTorch's list.
    std::set<std::string> want(expected["operators"].begin(), expected["operators"].end());
    CHECK(operator_names(report, true) == want);
    return;
  }
  // TorchScript source: every operator PyTorch lists is called somewhere in
  // code/ (indexing is printed as syntax, x[i], so it has no call site).
  std::set<std::string> ours = operator_names(report, false);
  for (const std::string& op : expected["operators"]) {
    std::string name = without_overload(op);
    if (name == "aten::__getitem__") continue;
    CHECK_MESSAGE(ours.count(name) == 1, "missing operator " << name);
  }
}

void check_fixture(const json& expected) {
  std::string file = expected["file"];
  RunResult result = run_mtool({"inspect", "--json", fixture(file)});
  REQUIRE_MESSAGE(result.signal == 0, "killed by signal " << result.signal);
  json report = result.json();
  CHECK(report["schema"] == "mtool.inspect/1");
  CHECK(report["path"] == fixture(file));
  CHECK(report["format"] == expected["format"]);
  for (const char* key : {"file_format_version", "bytecode_version"}) {
    if (expected.contains(key)) CHECK_MESSAGE(report[key] == expected[key], key);
  }
  check_operators(expected, report);
  if (expected.contains("tensor_elements")) CHECK(report["tensors"]["elements"] == expected["tensor_elements"]);
  if (expected.contains("tensor_count")) CHECK(report["tensors"]["count"] == expected["tensor_count"]);
  if (expected.contains("diagnosis")) CHECK(diagnosis_codes(report).count(expected["diagnosis"]) == 1);
  if (expected.contains("root_class")) CHECK(report["root_classes"][0] == expected["root_class"]);
  if (expected.contains("forward")) {
    for (const std::string& argument : expected["forward"]) {
      CHECK(report["forward"]["signature"].get<std::string>().find(argument) != std::string::npos);
    }
  }
  if (expected.contains("methods")) {
    std::set<std::string> methods;
    for (const auto& info : report["classes"]) {
      for (const auto& method : info["methods"]) methods.insert(method);
    }
    for (const std::string& method : expected["methods"]) CHECK(methods.count(method) == 1);
  }
  if (expected.contains("extra_files")) {
    std::vector<std::string> names;
    for (const auto& extra : report["extra_files"]) names.push_back(extra["name"]);
    CHECK(names == expected["extra_files"].get<std::vector<std::string>>());
  }
  if (expected.contains("security")) {
    CHECK(report["security"]["verdict"] == expected["security"]);
    RunResult scan = run_mtool({"scan", "--json", fixture(file)});
    json scanned = json::parse(scan.out.substr(0, scan.out.find('\n')));
    CHECK(scanned["verdict"] == expected["security"]);
    CHECK(scan.exit_code == (expected["security"] == "dangerous" ? 1 : expected["security"] == "unknown" ? 3 : 0));
    if (expected.contains("scan_pickles")) CHECK(scanned["pickles"] == expected["scan_pickles"]);
  }
  if (expected.contains("content_keys")) {
    std::vector<std::string> keys;
    for (const auto& tensor : report["contents"]["tensors"]) keys.push_back(tensor["key"]);
    std::sort(keys.begin(), keys.end());
    CHECK(keys == expected["content_keys"].get<std::vector<std::string>>());
  }
  if (expected.contains("value_keys")) {
    std::set<std::string> keys;
    for (const auto& value : report["contents"]["values"]) keys.insert(value["key"].get<std::string>());
    for (const std::string& key : expected["value_keys"]) CHECK_MESSAGE(keys.count(key) == 1, key);
  }
  if (expected.contains("objects")) {
    std::set<std::string> classes;
    for (const auto& object : report["contents"]["objects"]) classes.insert(object["class"].get<std::string>());
    for (const std::string& name : expected["objects"]) CHECK_MESSAGE(classes.count(name) == 1, name);
  }
  // Exit code and stderr follow the diagnoses.
  CHECK(result.exit_code == (has_error(report) ? 1 : 0));
  if (has_error(report)) CHECK(result.one_error_line());
  if (!has_error(report)) CHECK(result.err.empty());
}

}  // namespace

TEST_SUITE("fixtures") {
  TEST_CASE("every fixture is classified as PyTorch says") {
    json fixtures = expected_fixtures();
    REQUIRE(fixtures.size() > 20);
    for (const auto& expected : fixtures) {
      CAPTURE(expected.dump());
      check_fixture(expected);
    }
  }

  TEST_CASE("the text report shows what a developer needs") {
    RunResult result = run_mtool({"inspect", fixture("lite_v8.ptl")});
    CHECK(result.exit_code == 0);
    for (const char* text : {"lite-interpreter archive", "bytecode 8", "file format", "forward", "(x: Tensor",
                             "aten::conv2d", "tensors", "_load_for_mobile in LibTorch-Lite 1.11+",
                             "mtool links  LibTorch 1.13"}) {
      CHECK_MESSAGE(result.out.find(text) != std::string::npos, text);
    }
  }

  TEST_CASE("--runtime names the backport that makes a lite model load") {
    RunResult result = run_mtool({"inspect", "--json", "--runtime", "1.10", fixture("lite_v8.ptl")});
    CHECK(result.exit_code == 1);
    json report = result.json();
    bool found = false;
    for (const auto& diagnosis : report["diagnoses"]) {
      if (diagnosis["code"] != "bytecode-too-new-for-runtime") continue;
      found = true;
      CHECK(diagnosis["severity"] == "error");
      CHECK(diagnosis["message"].get<std::string>().find("between 3 and 7 but the model version is 8") != std::string::npos);
      CHECK(diagnosis["fix"].get<std::string>().find("--to 7") != std::string::npos);
    }
    CHECK(found);
    CHECK(result.err.find("bytecode-too-new-for-runtime") != std::string::npos);

    RunResult older = run_mtool({"inspect", "--runtime", "1.10.2", fixture("lite_v5.ptl")});
    CHECK(older.exit_code == 0);
    RunResult flat = run_mtool({"inspect", "--json", "--runtime", "1.11", fixture("lite_flatbuffer.ptl")});
    CHECK(diagnosis_codes(flat.json()).count("flatbuffer-unsupported-by-runtime") == 1);
  }

  TEST_CASE("a float16 model is warned about: PyTorch's own CPU error quoted, model.float() the fix") {
    json fixtures = expected_fixtures();
    size_t checked = 0;
    for (const auto& expected : fixtures) {
      if (!expected.contains("cpu_errors")) continue;
      CAPTURE(expected.dump());
      RunResult result = run_mtool({"inspect", "--json", fixture(expected["file"])});
      CHECK(result.exit_code == 0);  // a warning: it loads, only its CPU forward fails
      json report = result.json();
      bool found = false;
      for (const auto& diagnosis : report["diagnoses"]) {
        if (diagnosis["code"] != "float16-fails-on-cpu") continue;
        found = true;
        CHECK(diagnosis["severity"] == "warning");
        // The errors LibTorch 1.13 raised when make_fixtures.py ran the model (float16 and float32 input).
        for (const auto& error : expected["cpu_errors"]) {
          std::string text = error.get<std::string>();
          CHECK_MESSAGE(diagnosis["message"].get<std::string>().find(text) != std::string::npos, text);
        }
        CHECK(diagnosis["fix"].get<std::string>().find("model.float()") != std::string::npos);
      }
      CHECK(found);
      ++checked;
    }
    CHECK(checked == 2);
    // float32 models, quantized ones included, are not.
    for (const char* name : {"scripted.pt", "lite_v8.ptl", "lite_flatbuffer.ptl", "quantized_dynamic.pt"}) {
      CAPTURE(name);
      CHECK(diagnosis_codes(run_mtool({"inspect", "--json", fixture(name)}).json()).count("float16-fails-on-cpu") == 0);
    }
  }

  TEST_CASE("several files: one JSON line each, the worst exit code wins") {
    RunResult result = run_mtool({"inspect", "--json", fixture("scripted.pt"), fixture("state_dict.pt"),
                                  fixture("does-not-exist.pt")});
    CHECK(result.exit_code == 2);
    std::vector<json> lines;
    size_t start = 0;
    while (start < result.out.size()) {
      size_t end = result.out.find('\n', start);
      lines.push_back(json::parse(result.out.substr(start, end - start)));
      start = end + 1;
    }
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["format"] == "torchscript");
    CHECK(lines[1]["format"] == "torch.save");
    CHECK(lines[2]["error"]["kind"] == "io");
  }

  TEST_CASE("torch.save contents: tensors by key, shapes, shared storage, other values") {
    json report = run_mtool({"inspect", "--json", fixture("checkpoint.pth")}).json();
    const json* conv = nullptr;
    for (const auto& tensor : report["contents"]["tensors"]) {
      if (tensor["key"] == "model.conv.weight") conv = &tensor;
    }
    REQUIRE(conv != nullptr);
    CHECK((*conv)["dtype"] == "float32");
    CHECK((*conv)["shape"] == json::array({8, 3, 3, 3}));
    CHECK((*conv)["storage_bytes"] == 8 * 3 * 3 * 3 * 4);
    bool epoch = false;
    for (const auto& value : report["contents"]["values"]) epoch = epoch || (value["key"] == "epoch" && value["summary"] == "7");
    CHECK(epoch);
    RunResult numpy = run_mtool({"inspect", "--json", fixture("with_numpy.pt")});
    CHECK(numpy.out.find("numpy.ndarray") != std::string::npos);
  }

  TEST_CASE("--tree prints the whole symbolic tree") {
    RunResult result = run_mtool({"inspect", "--tree", fixture("legacy.pt")});
    CHECK(result.out.find("symbolic tree of the main pickle") != std::string::npos);
    CHECK(result.out.find("call torch._utils._rebuild_tensor_v2") != std::string::npos);
    CHECK(result.out.find("'fc.bias'") != std::string::npos);
    RunResult plain = run_mtool({"inspect", fixture("legacy.pt")});
    CHECK(plain.out.find("symbolic tree") == std::string::npos);
  }

  TEST_CASE("--all lists every record and operator") {
    RunResult result = run_mtool({"inspect", "--all", fixture("scripted.pt")});
    CHECK(result.out.find("scripted/data.pkl") == std::string::npos);  // names are relative to the top folder
    CHECK(result.out.find("code/__torch__.py") != std::string::npos);
    CHECK(result.out.find("data.pkl") != std::string::npos);
  }
}
