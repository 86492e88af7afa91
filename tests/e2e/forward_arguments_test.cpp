// Forwards that take more than tensors (an int, a float, a bool, a List[Tensor]):
// bench and the verification of backport and convert feed them, with
// --input-value or said assumptions; PyTorch's Python is the oracle.
#include <doctest/doctest.h>
#include <cstdlib>
#include <filesystem>

#include "run_mtool.h"

using namespace mtool::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// scripts/check_lite_outputs.py: Python runs `original` and `output` on the arguments mtool reported.
json python_oracle(const json& arguments, const std::string& original, const std::string& output,
                   const std::string& dir) {
  std::string command = "/usr/bin/python3 " MTOOL_SOURCE_DIR "/scripts/check_lite_outputs.py '" + arguments.dump() +
                        "' " + original + " " + output + " 2>/dev/null > " + dir + "/oracle.json";
  REQUIRE(std::system(command.c_str()) == 0);
  return json::parse(read_file(dir + "/oracle.json"));
}

}  // namespace

TEST_SUITE("bench") {
  TEST_CASE("int, float and bool arguments from --input-value; the output is Python's") {
    // forward(x: Tensor, steps: int, scale: float, clamp: bool): `steps` copies of the channels.
    RunResult result = run_mtool({"bench", "--json", "--runs", "2", "--loads", "1", "--warmup", "0", "--input-shape",
                                  "1,3,8,8", "--input-value", "steps=3", "--input-value", "scale=2", "--input-value",
                                  "clamp=true", fixture("scalar_arguments.pt"), fixture("scalar_arguments.ptl")});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);  // was: takes inputs other than tensors
    for (const json& model : result.json_lines()) {
      CAPTURE(model.dump());
      CHECK(model["error"].is_null());
      CHECK(model["output"] == expected_fixture("scalar_arguments.pt")["output"]);  // "[1, 12, 8, 8] float"
      CHECK(model["arguments"][1] == json{{"name", "steps"}, {"type", "int"}, {"value", 3}, {"assumed", false}});
    }
    // Values not given are assumed, and the table says so.
    RunResult assumed = run_mtool(
        {"bench", "--runs", "2", "--loads", "1", "--input-shape", "1,3,8,8", fixture("scalar_arguments.ptl")});
    REQUIRE_MESSAGE(assumed.exit_code == 0, assumed.err);
    CHECK(assumed.out.find("output [1, 4, 8, 8] float, inputs x: [1,3,8,8], steps: 1 (assumed), scale: 1.0 "
                           "(assumed), clamp: false (assumed)") != std::string::npos);
    RunResult wrong =
        run_mtool({"bench", "--input-shape", "1,3,8,8", "--input-value", "steps=many", fixture("scalar_arguments.pt")});
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.one_error_line());
    CHECK(wrong.err.find("--input-value steps=many: steps is an int") != std::string::npos);
  }

  TEST_CASE("a List[Tensor] argument takes the shapes given") {
    RunResult result =
        run_mtool({"bench", "--json", "--runs", "2", "--loads", "1", "--warmup", "0", "--input-shape", "3,8,8",
                   "--input-shape", "3,6,10", fixture("tensor_list.pt"), fixture("tensor_list.ptl")});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    for (const json& model : result.json_lines()) {
      CHECK(model["output"] == expected_fixture("tensor_list.pt")["output"]);  // "[2, 4] float": two images
    }
  }
}

TEST_SUITE("backport") {
  TEST_CASE("verification feeds ints, floats, bools and lists; PyTorch computes the same") {
    std::string dir = scratch_dir("forward-arguments");
    RunResult backported = run_mtool({"backport", "--json", fixture("scalar_arguments.ptl"), "--to", "5", "-o",
                                      dir + "/scalars.v5.ptl", "--input-shape", "1,3,8,8", "--input-value", "steps=3",
                                      "--input-value", "scale=2", "--input-value", "clamp=true"});
    REQUIRE_MESSAGE(backported.exit_code == 0, backported.err);
    json answer = backported.json();
    CHECK(answer["verified"] == true);
    CHECK(answer["max_abs_diff"] == 0.0);
    CHECK(answer["inputs_assumed"] == false);
    json oracle = python_oracle(answer["arguments"], fixture("scalar_arguments.ptl"), dir + "/scalars.v5.ptl", dir);
    CHECK(oracle["output"] == "[1, 12, 8, 8] float");
    CHECK(oracle[dir + "/scalars.v5.ptl"]["max_abs_diff"] == 0.0);

    // Nothing given but the shape: the assumed values are said, and still compared.
    RunResult text =
        run_mtool({"convert", fixture("scalar_arguments.pt"), "-o", dir + "/scalars.ptl", "--input-shape", "1,3,8,8"});
    REQUIRE_MESSAGE(text.exit_code == 0, text.err);
    CHECK(text.out.find("outputs match torch::jit::load's on x: [1,3,8,8], steps: 1 (assumed), scale: 1.0 (assumed), "
                        "clamp: false (assumed) (--input-shape; assumed steps=1, scale=1.0, clamp=false") !=
          std::string::npos);

    RunResult list = run_mtool({"convert", "--json", fixture("tensor_list.pt"), "-o", dir + "/list.ptl",
                                "--input-shape", "3,8,8", "--input-shape", "3,6,10"});
    REQUIRE_MESSAGE(list.exit_code == 0, list.err);
    CHECK(list.json()["max_abs_diff"] == 0.0);
    oracle = python_oracle(list.json()["arguments"], fixture("tensor_list.pt"), dir + "/list.ptl", dir);
    CHECK(oracle["output"] == "[2, 4] float");
    CHECK(oracle[dir + "/list.ptl"]["max_abs_diff"] == 0.0);
  }
}
