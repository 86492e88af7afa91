// mtool backport on every fixture lite model to every reachable version:
// loaded and run in C++ by mtool's verification, and by PyTorch's own Python
// lite interpreter as the oracle.
#include <doctest/doctest.h>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;
namespace fs = std::filesystem;

extern char** environ;

namespace {

// Files the backport left in `dir` besides those listed: temporaries must never remain.
std::vector<std::string> leftovers(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".mtool-") != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// What PyTorch's own Python lite interpreter says of `outputs`, run beside
// `original` on the same input (scripts/check_lite_outputs.py).
json python_oracle(const std::string& shape, const std::string& original, const std::vector<std::string>& outputs,
                   const std::string& dir) {
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/check_lite_outputs.py " + shape + " " + original;
  for (const std::string& output : outputs) command += " " + output;
  command += " 2>/dev/null > " + dir + "/oracle.json";
  REQUIRE(std::system(command.c_str()) == 0);
  return json::parse(read_file(dir + "/oracle.json"));
}

json backport(const std::string& input, int to, const std::string& output, const std::string& shape) {
  RunResult result = run_mtool({"backport", "--json", input, "--to", std::to_string(to), "-o", output, "--input-shape", shape});
  CAPTURE(result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

}  // namespace

TEST_SUITE("backport") {
  TEST_CASE("every fixture lite model to every reachable version, checked in C++ and by PyTorch") {
    std::string dir = scratch_dir("backport-all");
    struct Source { const char* name; int from; const char* shape; };
    for (Source source : {Source{"lite_v8.ptl", 8, "1,3,16,16"}, Source{"lite_v7.ptl", 7, "1,3,16,16"},
                          Source{"lite_v6.ptl", 6, "1,3,16,16"}, Source{"lite_v5.ptl", 5, "1,3,16,16"},
                          Source{"quantized_dynamic.ptl", 8, "2,16"}}) {
      std::vector<std::string> outputs;
      for (int to = source.from - 1; to >= 4; --to) {
        CAPTURE(source.name);
        CAPTURE(to);
        std::string output = dir + "/" + std::string(source.name) + ".v" + std::to_string(to) + ".ptl";
        json result = backport(fixture(source.name), to, output, source.shape);
        CHECK(result["from"] == source.from);
        CHECK(result["to"] == to);
        CHECK(result["verified"] == true);
        CHECK(result["max_abs_diff"].get<double>() == 0.0);
        if (to >= 5) CHECK(result["size_ratio"].get<double>() <= 1.01);
        json inspected = run_mtool({"inspect", "--json", output}).json();
        CHECK(inspected["bytecode_version"] == to);
        outputs.push_back(output);
      }
      if (outputs.empty()) continue;
      json oracle = python_oracle(source.shape, fixture(source.name), outputs, dir);
      for (const std::string& output : outputs) {
        CAPTURE(output);
        CHECK(oracle[output]["max_abs_diff"].get<double>() == 0.0);
        int to = std::stoi(output.substr(output.rfind(".v") + 2));
        CHECK(oracle[output]["bytecode_version"] == to);
      }
    }
    CHECK(leftovers(dir).empty());
  }

  TEST_CASE("--runtime picks the newest bytecode the release loads") {
    std::string dir = scratch_dir("backport-runtime");
    RunResult result = run_mtool({"backport", "--json", fixture("lite_v8.ptl"), "--runtime", "1.10", "-o", dir + "/m.ptl",
                                  "--input-shape", "1,3,8,8"});
    CHECK(result.exit_code == 0);
    CHECK(json::parse(result.out)["to"] == 7);
    RunResult already = run_mtool({"backport", fixture("lite_v8.ptl"), "--runtime", "1.13", "-o", dir + "/n.ptl"});
    CHECK(already.exit_code == 0);
    CHECK(already.err.find("nothing written") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/n.ptl"));
  }

  TEST_CASE("targets that cannot be reached get one line saying what is possible; nothing is written") {
    std::string dir = scratch_dir("backport-refused");
    struct Case { std::string input; std::vector<std::string> extra; int exit_code; const char* text; };
    for (const Case& refused : {
             Case{fixture("lite_v8.ptl"), {"--to", "3"}, 2, "reachable: 4 to 7"},
             // What this model cannot do exits 1, as a flatbuffer's refusal does; --to 3 no model reaches: usage, 2.
             Case{fixture("lite_v8.ptl"), {"--to", "8"}, 1, "already at bytecode 8"},
             Case{fixture("lite_v5.ptl"), {"--to", "6"}, 1, "reachable: 4"},
             Case{fixture("lite_flatbuffer.ptl"), {"--to", "7"}, 1, "flatbuffer"},
             Case{fixture("scripted.pt"), {"--to", "7"}, 1, "mtool convert"},
             Case{fixture("state_dict.pt"), {"--to", "7"}, 1, "torch.save"},
             Case{fixture("lite_v8.ptl"), {}, 2, "exactly one of --to"},
         }) {
      CAPTURE(refused.input);
      CAPTURE(refused.text);
      std::vector<std::string> args = {"backport", refused.input, "-o", dir + "/out.ptl"};
      args.insert(args.end(), refused.extra.begin(), refused.extra.end());
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == refused.exit_code);
      CHECK(result.one_error_line());
      CHECK(result.err.find(refused.text) != std::string::npos);
      CHECK_FALSE(fs::exists(dir + "/out.ptl"));
    }
    CHECK(leftovers(dir).empty());
  }

  TEST_CASE("the headline usages work without --input-shape and say what was compared") {
    std::string dir = scratch_dir("backport-no-shape");
    // A convolution's weight gives the channels; the size is assumed, and said.
    RunResult derived = run_mtool({"backport", fixture("lite_v8.ptl"), "--to", "5", "-o", dir + "/v5.ptl"});
    REQUIRE_MESSAGE(derived.exit_code == 0, derived.err);
    CHECK(derived.out.find("on [[1,3,224,224]] (assumed: 3 channels from the first convolution's weight") !=
          std::string::npos);
    // No convolution (a Linear model): loaded and version-checked, not run.
    RunResult linear = run_mtool({"backport", "--json", fixture("quantized_dynamic.ptl"), "--to", "5", "-o",
                                  dir + "/q5.ptl"});
    REQUIRE_MESSAGE(linear.exit_code == 0, linear.err);
    nlohmann::json answer = linear.json();
    CHECK(answer["verified"] == false);
    CHECK(answer["not_compared"].get<std::string>().find("--input-shape") != std::string::npos);
    CHECK(fs::exists(dir + "/q5.ptl"));
    RunResult text = run_mtool({"backport", fixture("quantized_dynamic.ptl"), "--to", "6", "-o", dir + "/q6.ptl"});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("loads with _load_for_mobile in LibTorch 1.13.0; outputs not compared:") != std::string::npos);
    RunResult converted = run_mtool({"convert", "--json", fixture("traced.pt"), "-o", dir + "/c.ptl"});
    REQUIRE_MESSAGE(converted.exit_code == 0, converted.err);
    CHECK(converted.json()["inputs_assumed"] == true);
    CHECK(converted.json()["max_abs_diff"] == 0.0);
    // A flatbuffer's tensors are read from the flatbuffer: the same convolution gives the shape.
    RunResult flat = run_mtool({"convert", "--json", fixture("lite_flatbuffer.ptl"), "-o", dir + "/f.ptl"});
    REQUIRE_MESSAGE(flat.exit_code == 0, flat.err);
    CHECK(flat.json()["inputs_assumed"] == true);
    CHECK(flat.json()["max_abs_diff"] == 0.0);
  }

  TEST_CASE("a backported optimize_for_mobile model stores each tensor once, and PyTorch loads it") {
    std::string dir = scratch_dir("backport-optimized");
    std::string optimized = dir + "/optimized.ptl";
    RunResult made = run_mtool({"convert", fixture("traced.pt"), "--optimize", "-o", optimized, "--no-verify"});
    REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    double input_size = static_cast<double>(fs::file_size(optimized));
    std::string outputs;
    for (int to : {7, 6, 5}) {
      std::string output = dir + "/v" + std::to_string(to) + ".ptl";
      RunResult result = run_mtool({"backport", optimized, "--to", std::to_string(to), "-o", output, "--input-shape",
                                    "1,3,16,16"});
      REQUIRE_MESSAGE(result.exit_code == 0, result.err);
      CAPTURE(to);
      CHECK(static_cast<double>(fs::file_size(output)) / input_size <= 1.01);  // was 1.5x: prepacked weights twice
      outputs += "'" + output + "',";
    }
    // PyTorch's own loader reads each and computes what the input computes.
    std::string check = "/usr/bin/python3 -c \"import torch; from torch.jit.mobile import _load_for_lite_interpreter as "
                        "load, _get_model_bytecode_version as version; x = torch.rand(1, 3, 16, 16); a = load('" +
                        optimized + "')(x); assert all((load(p)(x) - a).abs().max().item() == 0 for p in [" + outputs +
                        "]); assert [version(p) for p in [" + outputs + "]] == [7, 6, 5]\" 2>/dev/null";
    CHECK(std::system(check.c_str()) == 0);
  }

  TEST_CASE("convert keeps the extra/ files, mtool's recipe and labels among them") {
    std::string dir = scratch_dir("convert-extra");
    RunResult converted = run_mtool({"convert", fixture("with_extra_files.pt"), "-o", dir + "/out.ptl", "--no-verify"});
    REQUIRE_MESSAGE(converted.exit_code == 0, converted.err);
    nlohmann::json before = run_mtool({"inspect", "--json", fixture("with_extra_files.pt")}).json();
    nlohmann::json after = run_mtool({"inspect", "--json", dir + "/out.ptl"}).json();
    REQUIRE(before["extra_files"].size() == 2);
    std::set<std::string> names_before;
    std::set<std::string> names_after;
    for (const auto& extra : before["extra_files"]) names_before.insert(extra["name"].get<std::string>());
    for (const auto& extra : after["extra_files"]) names_after.insert(extra["name"].get<std::string>());
    CHECK(names_after == names_before);  // was empty: _save_for_mobile was given no extra files
  }

  TEST_CASE("a lite archive without code/ cannot take the steps that need it") {
    std::string dir = scratch_dir("backport-nocode");
    std::string stripped = dir + "/nocode.ptl";
    std::string command = "/usr/bin/python3 -c \"import zipfile; src = zipfile.ZipFile('" + fixture("lite_v8.ptl") +
                          "'); dst = zipfile.ZipFile('" + stripped + "', 'w'); [dst.writestr(i, src.read(i)) for i in "
                          "src.infolist() if '/code/' not in i.filename]; dst.close()\"";
    REQUIRE(std::system(command.c_str()) == 0);
    RunResult result = run_mtool({"backport", stripped, "--to", "5", "--no-verify"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("no code/ folder") != std::string::npos);
  }

  TEST_CASE("never overwrites the input; an existing output only with --force") {
    std::string dir = scratch_dir("backport-force");
    fs::copy_file(fixture("lite_v8.ptl"), dir + "/m.ptl");
    RunResult self = run_mtool({"backport", dir + "/m.ptl", "--to", "7", "-o", dir + "/m.ptl", "--force", "--no-verify"});
    CHECK(self.exit_code == 2);
    CHECK(self.err.find("replace the input") != std::string::npos);
    write_file(dir + "/out.ptl", "keep me");
    RunResult refused = run_mtool({"backport", dir + "/m.ptl", "--to", "7", "-o", dir + "/out.ptl", "--no-verify"});
    CHECK(refused.exit_code == 2);
    CHECK(read_file(dir + "/out.ptl") == "keep me");
    RunResult forced = run_mtool({"backport", dir + "/m.ptl", "--to", "7", "-o", dir + "/out.ptl", "--force", "--no-verify"});
    CHECK(forced.exit_code == 0);
    CHECK(run_mtool({"inspect", "--json", dir + "/out.ptl"}).json()["bytecode_version"] == 7);
    RunResult defaulted = run_mtool({"backport", dir + "/m.ptl", "--to", "6", "--no-verify"});
    CHECK(defaulted.exit_code == 0);
    CHECK(fs::exists(dir + "/m.v6.ptl"));
    CHECK(leftovers(dir).empty());
  }

  TEST_CASE("an interrupted backport leaves no partial file") {
    std::string dir = scratch_dir("backport-interrupted");
    for (int delay_ms : {50, 200, 400}) {
      std::string output = dir + "/out" + std::to_string(delay_ms) + ".ptl";
      std::vector<std::string> args = {MTOOL_BINARY, "backport", fixture("lite_v8.ptl"), "--to", "5", "-o", output,
                                       "--input-shape", "1,3,16,16"};
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      REQUIRE(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
      CAPTURE(delay_ms);
      // Either it finished first (a whole, valid file) or nothing is there.
      if (fs::exists(output)) CHECK(run_mtool({"inspect", "--json", output}).json()["bytecode_version"] == 5);
      CHECK(leftovers(dir).empty());
    }
  }
}

TEST_SUITE("backport") {
  TEST_CASE("convert: TorchScript to lite, optimized, at older bytecode, as flatbuffer; PyTorch loads them all") {
    std::string dir = scratch_dir("convert");
    struct Variant { std::string name; std::vector<std::string> flags; int bytecode; bool flatbuffer; };
    std::vector<std::string> outputs;
    for (const char* source : {"scripted.pt", "traced.pt"}) {
      for (const Variant& variant : {Variant{"plain", {}, 8, false}, Variant{"optimized", {"--optimize"}, 8, false},
                                     Variant{"v5", {"--bytecode", "5"}, 5, false},
                                     Variant{"flat", {"--flatbuffer"}, 9, true}}) {
        std::string output = dir + "/" + std::string(source) + "." + variant.name + ".ptl";
        std::vector<std::string> args = {"convert", "--json", fixture(source), "-o", output, "--input-shape", "1,3,16,16"};
        args.insert(args.end(), variant.flags.begin(), variant.flags.end());
        RunResult result = run_mtool(args);
        CAPTURE(output);
        CAPTURE(result.err);
        REQUIRE(result.exit_code == 0);
        json written = json::parse(result.out);
        CHECK(written["bytecode_version"] == variant.bytecode);
        CHECK(written["max_abs_diff"].get<double>() < 1e-5);
        json inspected = run_mtool({"inspect", "--json", output}).json();
        CHECK(inspected["format"] == (variant.flatbuffer ? "lite-flatbuffer" : "lite"));
        CHECK(inspected["bytecode_version"] == variant.bytecode);
        if (variant.name == "optimized") {
          CHECK(inspected.dump().find("prepacked::conv2d_clamp_run") != std::string::npos);
        }
        if (!variant.flatbuffer) outputs.push_back(output);
      }
      json oracle = python_oracle("1,3,16,16", fixture(source), outputs, dir);
      for (const std::string& output : outputs) {
        CAPTURE(output);
        CHECK(oracle[output]["max_abs_diff"].get<double>() < 1e-5);
      }
      outputs.clear();
    }
    CHECK(leftovers(dir).empty());
  }

  TEST_CASE("convert a quantized model; verification that fails keeps nothing") {
    std::string dir = scratch_dir("convert-quantized");
    RunResult quantized = run_mtool({"convert", "--json", fixture("quantized_dynamic.pt"), "-o", dir + "/q.ptl",
                                     "--input-shape", "2,16"});
    CHECK(quantized.exit_code == 0);
    CHECK(json::parse(quantized.out)["max_abs_diff"].get<double>() < 1e-4);
    // --optimize changes float rounding slightly; a zero tolerance turns that into a failed verification.
    RunResult strict = run_mtool({"convert", fixture("scripted.pt"), "-o", dir + "/strict.ptl", "--optimize",
                                  "--tolerance", "0", "--input-shape", "1,3,16,16"});
    if (strict.exit_code != 0) {
      CHECK(strict.exit_code == 1);
      CHECK(strict.err.find("verification failed") != std::string::npos);
      CHECK_FALSE(fs::exists(dir + "/strict.ptl"));
    }
    CHECK(leftovers(dir).empty());
  }

  TEST_CASE("--qengine: the comparison runs on the engine asked for, and the summary says which") {
    std::string dir = scratch_dir("backport-qengine");
    RunResult qnnpack = run_mtool({"backport", "--json", fixture("quantized_dynamic.ptl"), "--to", "5", "-o",
                                   dir + "/q5.ptl", "--input-shape", "2,16", "--qengine", "qnnpack"});
    REQUIRE_MESSAGE(qnnpack.exit_code == 0, qnnpack.err);
    CHECK(qnnpack.json()["qengine"] == "qnnpack");
    CHECK(qnnpack.json()["max_abs_diff"] == 0.0);
    json oracle = python_oracle("2,16", fixture("quantized_dynamic.ptl"), {dir + "/q5.ptl"}, dir);
    CHECK(oracle[dir + "/q5.ptl"]["max_abs_diff"] == 0.0);
    // QNNPACK unless asked otherwise (phones run it), said for a quantized model even when not asked.
    RunResult plain =
        run_mtool({"convert", fixture("quantized_dynamic.pt"), "-o", dir + "/q.ptl", "--input-shape", "2,16"});
    REQUIRE_MESSAGE(plain.exit_code == 0, plain.err);
    CHECK(plain.out.find("on [[2,16]] with quantized engine qnnpack: largest difference") != std::string::npos);
    RunResult chosen = run_mtool({"convert", "--json", fixture("quantized_dynamic.pt"), "-o", dir + "/qq.ptl",
                                  "--input-shape", "2,16", "--qengine", "onednn"});
    REQUIRE_MESSAGE(chosen.exit_code == 0, chosen.err);
    CHECK(chosen.json()["qengine"] == "onednn");
    // A float model's summary does not mention the engine.
    RunResult floating =
        run_mtool({"backport", fixture("lite_v8.ptl"), "--to", "7", "-o", dir + "/f.ptl", "--input-shape", "1,3,8,8"});
    REQUIRE_MESSAGE(floating.exit_code == 0, floating.err);
    CHECK(floating.out.find("quantized engine") == std::string::npos);
    RunResult unknown =
        run_mtool({"backport", fixture("lite_v8.ptl"), "--to", "7", "-o", dir + "/u.ptl", "--qengine", "mkl"});
    CHECK(unknown.exit_code == 2);
    CHECK_FALSE(fs::exists(dir + "/u.ptl"));
  }

  TEST_CASE("convert refuses what it cannot convert; a torch.save file gets the Python lines to export it") {
    std::string dir = scratch_dir("convert-refused");
    RunResult saved = run_mtool({"convert", fixture("state_dict.pt"), "-o", dir + "/x.ptl"});
    CHECK(saved.exit_code == 1);
    CHECK(saved.err.rfind("mtool: error: ", 0) == 0);
    CHECK(saved.err.find("constants.pkl") != std::string::npos);
    CHECK(saved.err.find("load_state_dict(torch.load(") != std::string::npos);
    CHECK(saved.err.find("_save_for_lite_interpreter") != std::string::npos);
    CHECK(saved.err.find("Traceback") == std::string::npos);
    RunResult lite = run_mtool({"convert", fixture("lite_v8.ptl"), "-o", dir + "/x.ptl"});
    CHECK(lite.exit_code == 2);
    CHECK(lite.err.find("mtool backport") != std::string::npos);
    RunResult too_old = run_mtool({"convert", fixture("scripted.pt"), "-o", dir + "/x.ptl", "--bytecode", "3"});
    CHECK(too_old.exit_code == 2);
    CHECK_FALSE(fs::exists(dir + "/x.ptl"));
    CHECK(leftovers(dir).empty());
  }
}
