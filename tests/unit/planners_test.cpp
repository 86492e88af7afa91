// The planners that decide, without LibTorch, what bench, score and backport
// will do with a model: on reports shaped as inspect writes them.
#include <doctest/doctest.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "backport/backport_plan.h"
#include "io/error.h"
#include "planning/bench_plan.h"
#include "planning/operator_libraries.h"
#include "planning/score_plan.h"
#include "planning/verification_inputs.h"

using namespace mtool;
using json = nlohmann::json;

namespace {

// A forward as TorchScript source declares it, less the module argument:
// "(x: Tensor) -> Tensor" reads "(self: __torch__.Net, x: Tensor) -> Tensor".
std::optional<Signature> forward_signature(const std::string& text) {
  if (!text.starts_with("(")) return parse_signature(text);
  return parse_signature("(self: __torch__.Net" + std::string(text[1] == ')' ? "" : ", ") + text.substr(1));
}

ModelReport torchscript(const std::string& signature) {
  ModelReport report;
  report.path = "models/net.pt";
  report.format = ModelFormat::TorchScript;
  report.forward = MethodSignature{"__torch__.Net", "forward", forward_signature(signature)};
  return report;
}

ModelReport lite(int64_t bytecode, bool with_code) {
  ModelReport report;
  report.path = "models/net.ptl";
  report.format = ModelFormat::Lite;
  report.bytecode_version = bytecode;
  report.records.push_back({"bytecode.pkl", 100, 100, false});
  if (with_code) report.records.push_back({"code/__torch__.py", 100, 40, true});
  return report;
}

void store_recipe(ModelReport& report, const std::string& json) {
  report.extra_files.push_back({"mtool.json", json.size(), json});
}

template <typename F>
std::string usage_error(F&& plan) {
  try {
    plan();
  } catch (const Error& error) {
    return error.kind() == ErrorKind::Usage ? error.what() : std::string("not usage: ") + error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("bench: --input-shape text") {
  CHECK(parse_shape("1,3,224,224") == Shape{1, 3, 224, 224});
  CHECK(parse_shape("1x3x32x32") == Shape{1, 3, 32, 32});
  for (const char* bad : {"", "1,,3", "1,-3", "0,3", "1,3,a", "1,3,99999999"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_shape(bad), Error);
  }
}

TEST_CASE("bench: the forward's tensor arguments without defaults") {
  using Names = std::optional<std::vector<std::string>>;
  CHECK(required_tensor_arguments(forward_signature("(x: Tensor, scale: float=1.) -> Tensor")) == Names{{"x"}});
  CHECK(required_tensor_arguments(forward_signature("(a: Tensor, b: Tensor) -> Tuple[Tensor, Tensor]")) ==
        Names{{"a", "b"}});
  // A default holding a comma inside brackets is one argument.
  CHECK(required_tensor_arguments(forward_signature("(x: Tensor, sizes: List[int]=[1, 2]) -> Tensor")) == Names{{"x"}});
  // An argument the benchmark cannot make up.
  CHECK(required_tensor_arguments(forward_signature("(x: Tensor, k: int) -> Tensor")) == std::nullopt);
  CHECK(required_tensor_arguments(forward_signature("(x: Dict[str, Tensor]) -> Tensor")) == std::nullopt);
  CHECK(required_tensor_arguments(forward_signature("no signature")) == std::nullopt);
}

TEST_CASE("bench: forward arguments other than tensors that mtool can feed") {
  using Arguments = std::optional<std::vector<ForwardArgument>>;
  CHECK(
      required_arguments(forward_signature("(x: Tensor, steps: int, scale: float, clamp: bool, k: int=2) -> Tensor")) ==
      Arguments{{{"x", "Tensor"}, {"steps", "int"}, {"scale", "float"}, {"clamp", "bool"}}});
  // TorchScript code writes List[Tensor]; schemas write Tensor[].
  CHECK(required_arguments(forward_signature("(images: List[Tensor]) -> Tensor")) ==
        Arguments{{{"images", "List[Tensor]"}}});
  CHECK(required_arguments(forward_signature("(inputs: Tensor[]) -> Tensor")) ==
        Arguments{{{"inputs", "List[Tensor]"}}});
  CHECK(required_arguments(forward_signature("(x: Dict[str, Tensor]) -> Tensor")) == std::nullopt);
  CHECK(required_arguments(forward_signature("(x: Tensor, name: str) -> Tensor")) == std::nullopt);
  CHECK(required_arguments(forward_signature("(x: Optional[Tensor]) -> Tensor")) == std::nullopt);

  CHECK(parse_input_value("scale=0.5") == std::pair<std::string, std::string>{"scale", "0.5"});
  for (const char* bad : {"scale", "=1", "scale="}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_input_value(bad), Error);
  }
}

TEST_CASE("bench: int, float and bool values, given or assumed; a list takes the shapes left over") {
  ModelReport report = torchscript("(x: Tensor, steps: int, scale: float, clamp: bool) -> Tensor");
  SUBCASE("given values, typed as forward declares them") {
    BenchPlan plan = plan_bench(report, {{1, 3, 8, 8}}, "", {{"steps", "3"}, {"scale", "2"}, {"clamp", "true"}});
    CHECK_FALSE(plan.assumed);
    REQUIRE(plan.arguments.is_array());
    REQUIRE(plan.arguments.size() == 4);
    CHECK(plan.arguments[0]["shape"] == nlohmann::json::array({1, 3, 8, 8}));
    CHECK(plan.arguments[1]["value"] == 3);
    CHECK(plan.arguments[1]["value"].is_number_integer());
    // "2" for a float argument is the float 2.0: TorchScript refuses an int there.
    CHECK(plan.arguments[2]["value"].is_number_float());
    CHECK(plan.arguments[2]["value"] == 2.0);
    CHECK(plan.arguments[3]["value"] == true);
    CHECK(plan.inputs == std::vector<Shape>{{1, 3, 8, 8}});
    CHECK(describe_inputs(plan) == "x: [1,3,8,8], steps: 3, scale: 2.0, clamp: true");
  }
  SUBCASE("values not given are 1, 1.0 and false, said to be assumed") {
    BenchPlan plan = plan_bench(report, {{1, 3, 8, 8}}, "", {{"scale", "0.5"}});
    CHECK(plan.assumed);
    CHECK(plan.arguments[1]["value"] == 1);
    CHECK(plan.arguments[2]["value"] == 0.5);
    CHECK(plan.arguments[3]["value"] == false);
    CHECK(plan.input_source.find("assumed steps=1, clamp=false") != std::string::npos);
    CHECK(describe_inputs(plan) == "x: [1,3,8,8], steps: 1 (assumed), scale: 0.5, clamp: false (assumed)");
  }
  SUBCASE("the first convolution's shape is derived beside scalars") {
    report.tensors = TensorSummary{};
    report.tensors->first_4d_shape = {4, 3, 3, 3};
    BenchPlan plan = plan_bench(report, {}, "", {{"steps", "2"}});
    CHECK(plan.inputs == std::vector<Shape>{{1, 3, 224, 224}});
    CHECK(plan.arguments[0]["shape"] == nlohmann::json::array({1, 3, 224, 224}));
  }
  SUBCASE("values that do not fit are refused") {
    CHECK(usage_error([&] {
            plan_bench(report, {{1, 3, 8, 8}}, "", {{"steps", "2.5"}});
          }) == "--input-value steps=2.5: steps is an int");
    CHECK(usage_error([&] {
            plan_bench(report, {{1, 3, 8, 8}}, "", {{"clamp", "maybe"}});
          }) == "--input-value clamp=maybe: clamp is a bool");
    CHECK(usage_error([&] {
            plan_bench(report, {{1, 3, 8, 8}}, "", {{"x", "1"}});
          }).find("has no int, float or bool argument x (it has steps, scale, clamp)") != std::string::npos);
    ModelReport tensors = torchscript("(x: Tensor) -> Tensor");
    CHECK(usage_error([&] {
            plan_bench(tensors, {{1, 3}}, "", {{"k", "1"}});
          }).find("(it has none)") != std::string::npos);
  }
  SUBCASE("a List[Tensor] takes the shapes after the Tensors'") {
    ModelReport images = torchscript("(images: List[Tensor]) -> Tensor");
    BenchPlan plan = plan_bench(images, {{3, 8, 8}, {3, 6, 10}});
    REQUIRE(plan.arguments.size() == 1);
    CHECK(plan.arguments[0]["shapes"] == nlohmann::json::parse("[[3, 8, 8], [3, 6, 10]]"));
    CHECK(describe_inputs(plan) == "images: [[3,8,8],[3,6,10]]");
    ModelReport mixed = torchscript("(x: Tensor, rest: Tensor[], y: Tensor) -> Tensor");
    BenchPlan spread = plan_bench(mixed, {{1}, {2}, {3}, {4}});
    CHECK(spread.arguments[0]["shape"] == nlohmann::json::array({1}));
    CHECK(spread.arguments[1]["shapes"] == nlohmann::json::parse("[[2], [3]]"));
    CHECK(spread.arguments[2]["shape"] == nlohmann::json::array({4}));
    CHECK(usage_error([&] {
            plan_bench(mixed, {{1}, {2}});
          }).find("give 3 --input-shape or more") != std::string::npos);
    ModelReport two = torchscript("(a: List[Tensor], b: List[Tensor]) -> Tensor");
    CHECK(usage_error([&] {
            plan_bench(two, {{1}, {2}});
          }).find("takes 2 List[Tensor] arguments") != std::string::npos);
    // No shape is derived for a list: an image list's elements have no batch dimension.
    images.tensors = TensorSummary{};
    images.tensors->first_4d_shape = {4, 3, 3, 3};
    CHECK(usage_error([&] { plan_bench(images, {}); }).find("has no stored input shape") != std::string::npos);
  }
  SUBCASE("tensors alone keep the plain form") {
    BenchPlan plan = plan_bench(torchscript("(a: Tensor, b: Tensor) -> Tensor"), {{1}, {2}});
    CHECK(plan.arguments.is_null());
    CHECK(describe_inputs(plan) == "[[1],[2]]");
  }
}

TEST_CASE("custom operator libraries: those given, and torchvision's for models calling it") {
  std::string dir = (std::filesystem::temp_directory_path() / "mtool_planners_ops").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/_C.cpython-311-x86_64-linux-gnu.so") << "ELF";
  std::ofstream(dir + "/image.cpython-311-x86_64-linux-gnu.so") << "ELF";
  unsetenv("MTOOL_TORCHVISION_OPS");
  CHECK(find_torchvision_operators(dir) == dir + "/_C.cpython-311-x86_64-linux-gnu.so");
  CHECK(find_torchvision_operators(dir + "/missing") == std::nullopt);
  setenv("MTOOL_TORCHVISION_OPS", "", 1);
  CHECK(find_torchvision_operators(dir) == std::nullopt);
  unsetenv("MTOOL_TORCHVISION_OPS");

  ModelReport detector = torchscript("(images: List[Tensor]) -> Tensor");
  detector.operators.push_back({"torchvision::nms", "", 1, std::nullopt});
  ModelReport plain = torchscript("(x: Tensor) -> Tensor");
  plain.operators.push_back({"aten::conv2d", "", 1, std::nullopt});
  std::optional<std::string> torchvision = dir + "/_C.so";
  OperatorLibraries none = plan_operator_libraries({}, {&plain}, torchvision);
  CHECK(none.torchvision == std::nullopt);
  CHECK(none.needs_torchvision.empty());
  OperatorLibraries needed = plan_operator_libraries({}, {&plain, &detector}, torchvision);
  CHECK(needed.torchvision == torchvision);
  CHECK(needed.needs_torchvision == std::vector<std::string>{"models/net.pt"});
  OperatorLibraries given = plan_operator_libraries({dir + "/image.cpython-311-x86_64-linux-gnu.so"}, {&plain}, {});
  CHECK(given.given.size() == 1);
  CHECK(usage_error([&] { plan_operator_libraries({dir + "/none.so"}, {&plain}, torchvision); }) ==
        "--load-ops " + dir + "/none.so: no such file");
  CHECK(usage_error([&] { plan_operator_libraries({dir}, {&plain}, torchvision); }) ==
        "--load-ops " + dir + ": not a regular file");
  std::filesystem::remove_all(dir);
}

TEST_CASE("bench: where the input shapes come from") {
  SUBCASE("given shapes win over a stored recipe") {
    ModelReport report = torchscript("(x: Tensor) -> Tensor");
    store_recipe(report, R"({"input_shape": [1, 3, 64, 64]})");
    BenchPlan plan = plan_bench(report, {{2, 3, 8, 8}});
    CHECK(plan.loader == "jit");
    CHECK(plan.inputs == std::vector<Shape>{{2, 3, 8, 8}});
    CHECK(plan.input_source == "--input-shape");
  }
  SUBCASE("a stored input_shape, one or a list") {
    ModelReport report = torchscript("(a: Tensor, b: Tensor) -> Tensor");
    store_recipe(report, R"({"input_shape": [[1, 4], [1, 5]]})");
    BenchPlan plan = plan_bench(report, {});
    CHECK(plan.inputs == std::vector<Shape>{{1, 4}, {1, 5}});
    CHECK(plan.input_source == "extra/mtool.json");
    CHECK_FALSE(plan.assumed);
  }
  SUBCASE("a stored crop makes one NCHW image") {
    ModelReport report = torchscript("(x: Tensor) -> Tensor");
    store_recipe(report, R"({"resize": 256, "crop": 224})");
    CHECK(plan_bench(report, {}).inputs == std::vector<Shape>{{1, 3, 224, 224}});
  }
  SUBCASE("nothing stored: the first convolution's input channels, said to be assumed") {
    ModelReport report = torchscript("(x: Tensor) -> Tensor");
    report.tensors = TensorSummary{};
    report.tensors->first_4d_shape = {16, 1, 3, 3};
    BenchPlan plan = plan_bench(report, {});
    CHECK(plan.inputs == std::vector<Shape>{{1, 1, 224, 224}});
    CHECK(plan.assumed);
    CHECK(plan.input_source.find("1 channel from the first convolution") != std::string::npos);  // not "1 channels"
  }
  SUBCASE("nothing to go on") {
    ModelReport report = torchscript("(x: Tensor, k: int) -> Tensor");
    CHECK(usage_error([&] { plan_bench(report, {}); }) ==
          "models/net.pt: forward(x: Tensor, k: int) -> Tensor has no stored input shape; pass one --input-shape "
          "per tensor input (e.g. --input-shape 1,3,224,224)");
    ModelReport dict = torchscript("(x: Dict[str, Tensor]) -> Tensor");
    CHECK(usage_error([&] {
            plan_bench(dict, {{1, 3}});
          }).find("takes inputs other than tensors") != std::string::npos);
    ModelReport two = torchscript("(a: Tensor, b: Tensor) -> Tensor");
    CHECK(usage_error([&] { plan_bench(two, {{1, 3}}); }).find("takes 2 tensor inputs but 1 shapes were given") !=
          std::string::npos);
  }
  SUBCASE("a file LibTorch cannot run is refused as a format problem") {
    ModelReport report;
    report.path = "weights.pth";
    report.format = ModelFormat::TorchSave;
    CHECK_THROWS_WITH_AS(loader_for(report, "benchmarked"), doctest::Contains("weights.pth: cannot be benchmarked"),
                         Error);
  }
}

TEST_CASE("verification: inputs given, derived, or a reason the comparison run is left out") {
  ModelReport derived = torchscript("(x: Tensor) -> Tensor");
  derived.tensors = TensorSummary{};
  derived.tensors->first_4d_shape = {8, 1, 3, 3};
  json inputs = verification_inputs(derived, {}, {});
  CHECK(inputs["inputs"] == json::parse("[[1, 1, 224, 224]]"));
  CHECK(inputs["assumed"] == true);
  CHECK(verification_inputs(derived, {"1,1,28,28"}, {})["inputs"] == json::parse("[[1, 1, 28, 28]]"));

  ModelReport opaque = torchscript("(x: Tensor) -> Tensor");  // no weights to derive a shape from
  json left_out = verification_inputs(opaque, {}, {});
  REQUIRE(left_out.contains("not_compared"));
  CHECK(left_out["not_compared"].get<std::string>().starts_with("forward(x: Tensor) -> Tensor has no stored input"));
  // What was given and does not fit is the user's to fix, not a silent skip.
  CHECK(usage_error([&] { verification_inputs(opaque, {}, {"nope=1"}); }) != "no error");
  CHECK(usage_error([&] { verification_inputs(opaque, {"1,x"}, {}); }) != "no error");
}

TEST_CASE("score: one image tensor, the stored recipe and name") {
  ModelReport report = torchscript("(x: Tensor) -> Tensor");
  store_recipe(report, R"({"crop": 192, "name": "Bird finder", "version": 3})");
  ScorePlan plan = plan_score(report, nlohmann::json::object(), "");
  CHECK(plan.loader == "jit");
  CHECK(plan.recipe.source == "extra/mtool.json");
  CHECK(plan.model_name == "Bird finder");
  CHECK(plan.model_version == 3);
  nlohmann::json request = score_request(plan, {"a.jpg"}, 5, 8, 2);
  CHECK(request["images"] == nlohmann::json::array({"a.jpg"}));
  CHECK(request["top_k"] == 5);

  ModelReport unnamed = torchscript("(x: Tensor) -> Tensor");
  ScorePlan defaults = plan_score(unnamed, nlohmann::json::object(), "");
  CHECK(defaults.model_name == "net.pt");
  CHECK(defaults.model_version.is_null());

  CHECK(usage_error([] { plan_score(torchscript("(a: Tensor, b: Tensor) -> Tensor"), nlohmann::json::object(), ""); })
            .find("takes 2 tensor inputs (a, b)") != std::string::npos);
  CHECK(usage_error([] { plan_score(torchscript("(x: Tensor, k: int) -> Tensor"), nlohmann::json::object(), ""); })
            .find("takes inputs other than tensors") != std::string::npos);
}

TEST_CASE("backport: targets, reachability and the output path") {
  SUBCASE("to an older bytecode, beside the input by default") {
    BackportPlan plan = plan_backport(lite(8, true), 5, std::nullopt, "");
    CHECK(plan.from == 8);
    CHECK(plan.to == 5);
    CHECK(plan.output == "models/net.v5.ptl");
  }
  SUBCASE("--runtime picks the newest bytecode the release reads") {
    std::optional<RuntimeRelease> release = find_runtime_release("1.10");
    REQUIRE(release);
    BackportPlan plan = plan_backport(lite(8, true), std::nullopt, release, "out.ptl");
    CHECK(plan.to == release->max_bytecode);
    CHECK(plan.output == "out.ptl");
    BackportPlan loads = plan_backport(lite(release->max_bytecode, true), std::nullopt, release, "");
    CHECK(loads.nothing_to_do);
  }
  SUBCASE("what cannot be reached says what can") {
    CHECK(usage_error([] { plan_backport(lite(6, true), 6, std::nullopt, ""); })
              .find("already at bytecode 6; backport goes to older versions (reachable: 4 to 5)") != std::string::npos);
    CHECK(usage_error([] { plan_backport(lite(6, true), 3, std::nullopt, ""); })
              .find("no backport reaches bytecode 3") != std::string::npos);
    // The steps below 8 re-export from code/; 5 -> 4 does not need it.
    CHECK(usage_error([] { plan_backport(lite(7, false), 6, std::nullopt, ""); })
              .find("no code/ folder") != std::string::npos);
    CHECK(plan_backport(lite(5, false), 4, std::nullopt, "").to == 4);
  }
  SUBCASE("other formats are refused as format problems, with the way forward") {
    ModelReport scripted = torchscript("(x: Tensor) -> Tensor");
    CHECK_THROWS_WITH_AS(plan_backport(scripted, 5, std::nullopt, ""), doctest::Contains("mtool convert"), Error);
  }
}
