// mtool explain on error logs copied from real issue threads (tests/explain,
// MANIFEST.tsv names each thread), on adversarial look-alikes, and with
// --model against the build's fixtures and the shared corpus.
#include <doctest/doctest.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kLogs = fs::path(MTOOL_SOURCE_DIR) / "tests" / "explain";
const fs::path kCorpus = fs::path(MTOOL_CORPUS_DIR);

struct LogCase {
  std::string file;
  std::set<std::string> expected;  // codes explained with "matches", "code?" with "possibly"; empty = none
  std::string source;
};

std::vector<LogCase> manifest(const fs::path& path) {
  std::vector<LogCase> cases;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    LogCase c;
    std::string expected;
    std::getline(fields, c.file, '\t');
    std::getline(fields, expected, '\t');
    std::getline(fields, c.source);
    std::istringstream codes(expected);
    for (std::string code; std::getline(codes, code, ',');) {
      if (code != "none") c.expected.insert(code);
    }
    cases.push_back(c);
  }
  return cases;
}

std::set<std::string> matched_codes(const json& document) {
  std::set<std::string> codes;
  for (const json& finding : document["findings"]) {
    if (finding["confidence"] == "matches") codes.insert(finding["code"].get<std::string>());
  }
  return codes;
}

// Every finding: "code" for matches, "code?" for possibly.
std::set<std::string> all_codes(const json& document) {
  std::set<std::string> codes;
  for (const json& finding : document["findings"]) {
    codes.insert(finding["code"].get<std::string>() + (finding["confidence"] == "matches" ? "" : "?"));
  }
  return codes;
}

bool recognised(const std::set<std::string>& expected) {
  return std::any_of(expected.begin(), expected.end(), [](const std::string& code) { return !code.ends_with('?'); });
}

const json* finding(const json& document, const std::string& code) {
  for (const json& f : document["findings"]) {
    if (f["code"] == code) return &f;
  }
  return nullptr;
}

std::string log(const std::string& name) { return (kLogs / name).string(); }

json explain_json(const std::vector<std::string>& args) {
  std::vector<std::string> full = {"explain", "--json"};
  full.insert(full.end(), args.begin(), args.end());
  RunResult result = run_mtool(full);
  REQUIRE(result.signal == 0);
  return result.json();
}

std::string facts_of(const json& f) {
  std::string all;
  for (const json& fact : f["facts"]) all += fact.get<std::string>() + "\n";
  return all;
}

}  // namespace

TEST_SUITE("explain") {
  TEST_CASE("every log in the manifests gets exactly its expected codes, and look-alikes get none") {
    std::vector<LogCase> cases = manifest(kLogs / "MANIFEST.tsv");
    std::vector<LogCase> pytorch = manifest(kLogs / "pytorch" / "MANIFEST.tsv");
    REQUIRE(cases.size() >= 50);
    REQUIRE(pytorch.size() >= 10);
    cases.insert(cases.end(), pytorch.begin(), pytorch.end());
    size_t right = 0, negatives = 0;
    for (const LogCase& c : cases) {
      CAPTURE(c.file);
      CAPTURE(c.source);
      RunResult result = run_mtool({"explain", "--json", log(c.file)});
      json document = result.json();
      std::set<std::string> codes = all_codes(document);
      CHECK(codes == c.expected);
      CHECK(result.exit_code == (recognised(c.expected) ? 0 : 1));
      CHECK(document["recognised"] == recognised(c.expected));
      if (codes == c.expected) ++right;
      if (c.expected.empty()) ++negatives;
    }
    MESSAGE(right << " of " << cases.size() << " logs right (" << negatives << " negatives)");
    CHECK(negatives >= 10);
  }

  TEST_CASE("the issue's logs: the numbers, versions and lines that matter are read back") {
    json scalar = explain_json({log("issue22_tensor_scalar.log")});
    const json* not_scalar = finding(scalar, "output-not-scalar");
    REQUIRE(not_scalar);
    CHECK(facts_of(*not_scalar).find("[1, 2, 224, 224]: a 2-class segmentation map of a 224 x 224 image") != std::string::npos);
    CHECK((*not_scalar)["values"]["elements"] == "100352");

    json version = explain_json({log("issue22_lite_version.log")});
    const json* too_new = finding(version, "bytecode-too-new-for-runtime");
    REQUIRE(too_new);
    CHECK((*too_new)["values"]["model_bytecode"] == "8");
    CHECK((*too_new)["values"]["runtime_max"] == "7");
    CHECK((*too_new)["fix"].get<std::string>().find("mtool backport model.ptl --to 7") != std::string::npos);

    json constants = explain_json({log("issue22_constants_pkl.log")});
    const json* save = finding(constants, "torch-save-not-torchscript");
    REQUIRE(save);
    REQUIRE((*save)["lines"].size() == 1);
    // The Xcode timestamp and process are cut off; the backtrace is not quoted.
    CHECK((*save)["lines"][0]["text"] == "PytorchStreamReader failed locating file constants.pkl: file not found");
    CHECK((*save)["lines"][0]["line"] == 1);

    json reshape = explain_json({log("issue22_espresso_reshape.log")});
    const json* unbounded = finding(reshape, "coreml-flexible-shape-unbounded");
    REQUIRE(unbounded);
    CHECK(facts_of(*unbounded).find("[2147483647, 1, 1, 1, 1] to [32, 24, 384, 1, 1]") != std::string::npos);
  }

  TEST_CASE("versions, names and shapes vary: they are read, not matched") {
    json old_runtime = explain_json({log("android_lite_version_verson.log")});
    const json* f = finding(old_runtime, "bytecode-too-new-for-runtime");
    REQUIRE(f);
    CHECK((*f)["values"]["runtime_max"] == "5");
    CHECK((*f)["fix"].get<std::string>().find("--to 5") != std::string::npos);
    // A model older than the runtime's range is the other failure.
    json too_old = explain_json({"Lite Interpreter version number does not match. The model version must be between 5 "
                                 "and 9 but the model version is 3 ()"});
    CHECK(matched_codes(too_old) == std::set<std::string>{"bytecode-too-old-for-runtime"});

    json nms = explain_json({"Unknown builtin op: torchvision::roi_align."});
    REQUIRE(finding(nms, "custom-operators"));
    CHECK((*finding(nms, "custom-operators"))["values"]["operator"] == "torchvision::roi_align");
    json aten = explain_json({"Unknown builtin op: aten::scaled_dot_product_attention."});
    CHECK(matched_codes(aten) == std::set<std::string>{"operator-not-in-runtime"});

    json rank = explain_json({log("conv_rank_resnet.log")});
    CHECK(facts_of(*finding(rank, "input-rank-mismatch")).find("should be [1, 3, 224, 224]") != std::string::npos);

    json tuple = explain_json({log("istuple_genericlist.log")});
    CHECK((*finding(tuple, "output-type-mismatch"))["fix"].get<std::string>().find(".toList()") != std::string::npos);

    json xcode = explain_json({log("coreml_newer_xcode.log")});
    CHECK((*finding(xcode, "coreml-too-new-for-os"))["fix"].get<std::string>().find("ct.target.iOS13") != std::string::npos);

    json identifier = explain_json({log("executorch_identifier.log")});
    CHECK(facts_of(*finding(identifier, "executorch-identifier-mismatch")).find("not an ExecuTorch identifier") !=
          std::string::npos);
  }

  TEST_CASE("wording variants of the same failure: the lite interpreter, torch.ops, old asserts, Espresso's checks") {
    // torch/csrc/jit/mobile (print_unsupported_ops_and_throw, Function::initialize_operators): three releases' texts.
    json old_list = explain_json({"Following ops cannot be found. Check fburl.com/missing_ops for the fix."
                                  "{aten::linalg_vector_norm, }"});
    CHECK(matched_codes(old_list) == std::set<std::string>{"operator-not-in-runtime"});
    CHECK((*finding(old_list, "operator-not-in-runtime"))["values"]["operator"] == "aten::linalg_vector_norm");
    json new_list = explain_json({"Following ops cannot be found: [aten::add.out, torchvision::nms]. Please check if "
                                  "the operator library is included in the build. If built with selected ops, check if "
                                  "these ops are in the list. If you are a Meta employee, please see "
                                  "fburl.com/missing_ops for a fix. Or post it in https://discuss.pytorch.org/c/mobile/"});
    const json* custom = finding(new_list, "custom-operators");
    REQUIRE(custom);
    CHECK((*custom)["values"]["operator"] == "torchvision::nms");
    CHECK(facts_of(*custom).find("aten::add.out, torchvision::nms") != std::string::npos);
    CHECK(matched_codes(explain_json({"Following ops cannot be found:{quantized::linear_dynamic, }"})) ==
          std::set<std::string>{"operator-not-in-runtime"});
    // torch/_ops.py (_OpNamespace.__getattr__): PyTorch's own namespace is version skew, not a custom library.
    CHECK(matched_codes(explain_json({"AttributeError: '_OpNamespace' 'aten' object has no attribute '_foreach_pow_'"})) ==
          std::set<std::string>{"operator-not-in-runtime"});
    // The C++ frontend's conv modules asserted the rank until pytorch/pytorch#13283.
    CHECK(matched_codes(explain_json({"what():  input.ndimension() == 3 ASSERT FAILED at "
                                      "/pytorch/torch/csrc/api/src/nn/modules/conv.cpp:71, please report a bug to PyTorch."})) ==
          std::set<std::string>{"input-rank-mismatch"});
    // Espresso's reshape check: the shapes are read back, the cause is the reshape's.
    json bottom = explain_json({"[espresso] [Espresso::handle_ex_plan] exception=Espresso exception: \"Invalid argument\": "
                                "generic_reshape_kernel: Invalid bottom shape (128 4 1 1 1) for reshape to (1024 -1 1 1 1) "
                                "status=-6"});
    const json* reshape = finding(bottom, "coreml-nn-runtime-error");
    REQUIRE(reshape);
    CHECK((*reshape)["confidence"] == "matches");
    CHECK(facts_of(*reshape).find("(128 4 1 1 1) and was asked for (1024 -1 1 1 1)") != std::string::npos);
    CHECK((*reshape)["cause"].get<std::string>().find("reshape layer") != std::string::npos);
    // miniz's words quoted in prose, without PyTorch's prefix.
    CHECK(matched_codes(explain_json({"Every time I load it I get \"failed finding central directory\"."})) ==
          std::set<std::string>{"truncated"});
    // Espresso's exception line names many other failures: alone it is a guess.
    json custom_layer = explain_json({"[espresso] [Espresso::handle_ex_plan] exception=Missing custom layer MyLayer"});
    CHECK(all_codes(custom_layer) == std::set<std::string>{"coreml-nn-runtime-error?"});
  }

  TEST_CASE("a dangerous global refused by a weights-only load is said to be dangerous") {
    json document = explain_json({"_pickle.UnpicklingError: Weights only load failed.\nWeightsUnpickler error: "
                                  "Unsupported global: GLOBAL posix.system was not an allowed global by default."});
    CHECK(matched_codes(document) == std::set<std::string>{"pickle-dangerous"});
  }

  TEST_CASE("a dispatcher error's what and cause agree on which way the tensor went") {
    json conv = explain_json({log("quantized_conv_cpu.log")});
    const json* into_quantized = finding(conv, "quantized-backend-missing");
    REQUIRE(into_quantized);
    CHECK((*into_quantized)["what"] == "A quantized operator got a float tensor (no 'CPU' kernel)");
    CHECK((*into_quantized)["cause"].get<std::string>().starts_with("Quantized operators"));
    json document =
        explain_json({"Could not run 'aten::empty_strided' with arguments from the 'QuantizedCPU' backend."});
    const json* into_float = finding(document, "quantized-backend-missing");
    REQUIRE(into_float);
    CHECK((*into_float)["what"] == "A float operator got a quantized tensor (no 'QuantizedCPU' kernel)");
    CHECK((*into_float)["cause"].get<std::string>().starts_with("A float operator received a quantized tensor"));
  }

  TEST_CASE("--model on a torch.save file: the scan finding first, and only the loads inspect advises") {
    // whole_module.pt pickles whole classes: scan calls it unknown, so nothing loads it.
    json whole = explain_json({log("issue22_constants_pkl.log"), "--model", fixture("whole_module.pt")});
    const json* module = finding(whole, "torch-save-not-torchscript");
    REQUIRE(module);
    CHECK(whole["model"]["scan_verdict"] == "unknown");
    CHECK((*module)["model"]["verdict"] == "confirms");
    CHECK((*module)["python"].empty());
    CHECK((*module)["model"]["reason"].get<std::string>().starts_with("This is a whole pickled module"));
    CHECK((*module)["model"]["reason"].get<std::string>().find("[pickled-module]") != std::string::npos);
    CHECK((*module)["fix"].get<std::string>().starts_with("Do not load it in Python"));
    RunResult text = run_mtool({"explain", log("issue22_constants_pkl.log"), "--model", fixture("whole_module.pt")});
    CHECK(text.out.find("weights_only=False") == std::string::npos);
    CHECK(text.out.find("torch.load(") == std::string::npos);

    // with_numpy.pt scans safe, but torch 1.13's weights_only=True refuses its NumPy arrays
    // (measured: "Unsupported class numpy.core.multiarray._reconstruct"); a full load reads it.
    json inspected = run_mtool({"inspect", "--json", fixture("with_numpy.pt")}).json();
    std::string inspect_fix;
    for (const json& d : inspected["diagnoses"]) {
      if (d["code"] == "torch-save-not-torchscript") inspect_fix = d["fix"];
    }
    CHECK(inspect_fix.find("torch.load(path, weights_only=False)") != std::string::npos);
    CHECK(inspect_fix.find("weights_only=True fails on this file in PyTorch 1.13") != std::string::npos);
    CHECK(inspect_fix.find("numpy.core.multiarray._reconstruct") != std::string::npos);
    json numpy = explain_json({log("issue22_constants_pkl.log"), "--model", fixture("with_numpy.pt")});
    const json* arrays = finding(numpy, "torch-save-not-torchscript");
    REQUIRE(arrays);
    CHECK((*arrays)["fix"] == inspect_fix);
    std::string python;
    for (const json& line : (*arrays)["python"]) python += line.get<std::string>() + "\n";
    CHECK(python.find("torch.load('" + fixture("with_numpy.pt") + "', map_location='cpu', weights_only=False)") !=
          std::string::npos);
    CHECK(python.find("# weights_only=True fails on this file in PyTorch 1.13") != std::string::npos);
    // convert's refusal prints the same load.
    std::string out_dir = fs::temp_directory_path() / "mtool_explain_convert";
    fs::create_directories(out_dir);
    RunResult converted = run_mtool({"convert", fixture("with_numpy.pt"), "-o", out_dir + "/x.ptl"});
    CHECK(converted.exit_code != 0);
    CHECK(converted.err.find("model.load_state_dict(torch.load('" + fixture("with_numpy.pt") +
                             "', map_location='cpu', weights_only=False))") != std::string::npos);
    CHECK(converted.err.find("weights_only=True fails on this file in PyTorch 1.13") != std::string::npos);
    // A state_dict of tensors only keeps weights_only=True.
    json plain = explain_json({log("issue22_constants_pkl.log"), "--model", fixture("state_dict.pt")});
    std::string state_python = (*finding(plain, "torch-save-not-torchscript"))["python"].dump();
    CHECK(state_python.find("weights_only=True") != std::string::npos);
    CHECK(state_python.find("weights_only=False") == std::string::npos);
  }

  TEST_CASE("--model on Core ML and ExecuTorch files reads their inputs, backends and operators") {
    auto verdict = [](const std::vector<std::string>& args, const std::string& code) -> std::string {
      json document = explain_json(args);
      const json* f = finding(document, code);
      return f && !(*f)["model"].is_null() ? (*f)["model"]["verdict"].get<std::string>() : "";
    };
    const std::string vision = "coreml-vision-needs-image-input";
    CHECK(verdict({log("issue22_vision_image.log"), "--model", fixture("coreml/resnet50_multiarray.mlmodel")},
                  vision) == "confirms");
    CHECK(verdict({log("issue22_vision_image.log"), "--model", fixture("coreml/resnet50_image.mlmodel")}, vision) ==
          "refutes");
    json unbounded =
        explain_json({log("issue22_espresso_reshape.log"), "--model", fixture("coreml/flexible_unbounded.mlmodel")});
    const json* flexible = finding(unbounded, "coreml-flexible-shape-unbounded");
    REQUIRE(flexible);
    CHECK((*flexible)["model"]["verdict"] == "confirms");
    CHECK(verdict({log("issue22_espresso_reshape.log"), "--model", fixture("coreml/resnet50_image.mlmodel")},
                  "coreml-flexible-shape-unbounded") == "refutes");
    if (!fs::is_directory(kCorpus / "executorch")) {
      MESSAGE("shared corpus not found at " << kCorpus << ": ExecuTorch files skipped");
      return;
    }
    std::string add = (kCorpus / "executorch/executorch__add.pte").string();
    // executorch__add.pte: identifier ET12, no delegates, calls aten::add.out.
    CHECK(verdict({log("executorch_identifier.log"), "--model", add}, "executorch-identifier-mismatch") == "refutes");
    CHECK(verdict({log("executorch_backend.log"), "--model", add}, "executorch-backend-not-linked") == "refutes");
    CHECK(verdict({log("executorch_missing_scatter.log"), "--model", add}, "executorch-missing-operator") == "refutes");
    json missing_add = explain_json({"Missing operator: [0] aten::add.out", "--model", add});
    const json* f = finding(missing_add, "executorch-missing-operator");
    REQUIRE(f);
    CHECK((*f)["model"]["verdict"] == "confirms");
    CHECK((*f)["model"]["reason"] == "The program calls aten::add.out.");
    CHECK(verdict({log("executorch_identifier.log"), "--model", fixture("scripted.pt")},
                  "executorch-identifier-mismatch") == "confirms");
  }

  TEST_CASE("input: a file, stdin, '-', or the message as arguments; exit codes 0, 1, 2") {
    RunResult piped = run_shell("\"$MTOOL\" explain < '" + log("issue22_lite_version.log") + "'");
    CHECK(piped.exit_code == 0);
    CHECK(piped.out.find("bytecode-too-new-for-runtime") != std::string::npos);
    RunResult dash = run_shell("printf 'a Tensor with 1000 elements cannot be converted to Scalar' | \"$MTOOL\" explain -");
    CHECK(dash.exit_code == 0);
    CHECK(dash.out.find("ImageNet-1k class scores") != std::string::npos);
    RunResult words = run_mtool({"explain", "Backend", "XnnpackBackend", "is", "not", "registered."});
    CHECK(words.exit_code == 0);
    CHECK(words.out.find("executorch-backend-not-linked") != std::string::npos);

    // A log longer than explain reads: it stops at its cap instead of reading on.
    RunResult endless = run_shell("yes 'PytorchStreamReader failed locating file constants.pkl' | head -c 20000000 | "
                                  "\"$MTOOL\" explain -");
    CHECK(endless.exit_code == 0);
    CHECK(endless.seconds < 20);
    RunResult nothing = run_mtool({"explain", "everything went fine today"});
    CHECK(nothing.exit_code == 1);
    CHECK(nothing.out.find("Not recognised") != std::string::npos);

    RunResult missing = run_mtool({"explain", "no_such_log.txt"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.one_error_line());
    CHECK(missing.err.find("no_such_log.txt: cannot open") != std::string::npos);
    RunResult directory = run_mtool({"explain", kLogs.string()});
    CHECK(directory.exit_code == 2);
    CHECK(directory.one_error_line());
    RunResult bad_model = run_mtool({"explain", log("issue22_lite_version.log"), "--model", "no_such_model.ptl"});
    CHECK(bad_model.exit_code == 2);
    CHECK(bad_model.one_error_line());
    CHECK(bad_model.out.empty());
  }

  TEST_CASE("--model confirms or refutes against the build's fixtures, with commands for this file") {
    auto verdict = [](const json& document, const std::string& code) -> std::string {
      const json* f = finding(document, code);
      return f && !(*f)["model"].is_null() ? (*f)["model"]["verdict"].get<std::string>() : "";
    };
    json save = explain_json({log("issue22_constants_pkl.log"), "--model", fixture("state_dict.pt")});
    CHECK(verdict(save, "torch-save-not-torchscript") == "confirms");
    CHECK(save["model"]["format"] == "torch.save");
    CHECK(!(*finding(save, "torch-save-not-torchscript"))["python"].empty());
    CHECK(verdict(explain_json({log("issue22_constants_pkl.log"), "--model", fixture("scripted.pt")}),
                  "torch-save-not-torchscript") == "refutes");

    json dangerous = explain_json({log("issue22_constants_pkl.log"), "--model", fixture("malicious_checkpoint.pt")});
    const json* loaded = finding(dangerous, "torch-save-not-torchscript");
    CHECK((*loaded)["python"].empty());
    // The security finding comes first; the fix is not to load it.
    CHECK((*loaded)["model"]["reason"].get<std::string>().starts_with("Its pickles name globals that run code"));
    CHECK((*loaded)["fix"].get<std::string>().starts_with("Do not load it in Python"));

    json v8 = explain_json({log("issue22_lite_version.log"), "--model", fixture("lite_v8.ptl")});
    CHECK(verdict(v8, "bytecode-too-new-for-runtime") == "confirms");
    const json& commands = (*finding(v8, "bytecode-too-new-for-runtime"))["commands"];
    REQUIRE(commands.size() == 1);
    CHECK(commands[0] == "mtool backport " + fixture("lite_v8.ptl") + " --to 7");
    CHECK(verdict(explain_json({log("issue22_lite_version.log"), "--model", fixture("lite_v7.ptl")}),
                  "bytecode-too-new-for-runtime") == "refutes");

    CHECK(verdict(explain_json({log("pnnx_nms.log"), "--model", fixture("torchvision_nms.pt")}), "custom-operators") ==
          "confirms");
    CHECK(verdict(explain_json({log("pnnx_nms.log"), "--model", fixture("traced.pt")}), "custom-operators") == "refutes");
    CHECK(verdict(explain_json({log("android_bytecode_pkl.log"), "--model", fixture("scripted.pt")}),
                  "torchscript-not-lite") == "confirms");
    CHECK(verdict(explain_json({log("central_directory_crlf.log"), "--model", fixture("scripted_truncated.pt")}),
                  "truncated") == "confirms");
    CHECK(verdict(explain_json({log("central_directory_crlf.log"), "--model", fixture("legacy.pt")}), "truncated") ==
          "refutes");
    CHECK(verdict(explain_json({log("lfs_invalid_load_key.log"), "--model", fixture("lfs_pointer.pt")}),
                  "git-lfs-pointer") == "confirms");
    CHECK(verdict(explain_json({log("issue22_vision_image.log"), "--model", fixture("scripted.pt")}),
                  "coreml-vision-needs-image-input") == "refutes");
  }

  TEST_CASE("--model against real files in the shared corpus") {
    if (!fs::is_directory(kCorpus / "demo-apps")) {
      MESSAGE("shared corpus not found at " << kCorpus << ": skipped");
      return;
    }
    auto verdict = [](const std::string& log_name, const std::string& file, const std::string& code) {
      json document = explain_json({log(log_name), "--model", (kCorpus / file).string()});
      const json* f = finding(document, code);
      return f && !(*f)["model"].is_null() ? (*f)["model"]["verdict"].get<std::string>() : std::string();
    };
    CHECK(verdict("pnnx_nms.log", "demo-apps/android_d2go.pt", "custom-operators") == "confirms");
    CHECK(verdict("android_bytecode_pkl.log", "torchscript/Mastering-PyTorch__scripted_convnet.pt", "torchscript-not-lite") ==
          "confirms");
    CHECK(verdict("issue22_constants_pkl.log", "torch_save/executorch__KeywordSpotting_model.pth",
                  "torch-save-not-torchscript") == "confirms");
    CHECK(verdict("central_directory_crlf.log", "torch_save/Mastering-PyTorch__convnet.pth", "truncated") == "refutes");
    CHECK(verdict("issue22_lite_version.log", "demo-apps/android_asl.ptl", "bytecode-too-new-for-runtime") == "refutes");
    CHECK(verdict("executorch_identifier.log", "executorch/executorch__add.pte", "executorch-identifier-mismatch") ==
          "refutes");
    // Its input is an Image (GRAYSCALE, 28 x 28): Vision takes it.
    CHECK(verdict("issue22_vision_image.log", "coreml/ph1ps__MNIST.mlmodel", "coreml-vision-needs-image-input") ==
          "refutes");
  }

  TEST_CASE("explain needs no LibTorch: a copy of the binary without its runtime library explains as well") {
    // Said by what runs, not by timing it (a wall-clock bound against inspect failed on a busy machine).
    std::string dir = scratch_dir("explain-no-runtime");
    std::filesystem::copy_file(MTOOL_BINARY, dir + "/mtool", std::filesystem::copy_options::overwrite_existing);
    std::vector<std::string> args = {"explain", log("issue22_constants_pkl.log"), "--model", fixture("scripted.pt")};
    RunResult alone = run_binary(dir + "/mtool", args);
    RunResult installed = run_mtool(args);
    CHECK(alone.exit_code == 0);
    CHECK(alone.out == installed.out);
    CHECK(alone.err.empty());
    // The same copy cannot run a model: the runtime library really is absent beside it.
    RunResult needs_runtime = run_binary(dir + "/mtool", {"inspect", "--try-load", fixture("scripted.pt")});
    CHECK(needs_runtime.exit_code == 2);
  }

  TEST_CASE("text output fits 80 columns and --help documents the exit codes") {
    RunResult text = run_mtool({"explain", log("issue22_tensor_scalar.log")});
    std::istringstream lines(text.out);
    for (std::string line; std::getline(lines, line);) {
      CAPTURE(line);
      CHECK(line.size() <= 80);
    }
    RunResult help = run_mtool({"explain", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("1   nothing recognised") != std::string::npos);
  }
}
