#include "run/backport_runner.h"

#include <stdexcept>

#include "run/libtorch_declarations.h"
#include "run/model_runner.h"

namespace mtool {

using Json = nlohmann::json;

Json run_backport(const Json& request) {
  std::string input = request["input"];
  std::string output = request["output"];
  int64_t to = request["to"];
  if (!torch::jit::_backport_for_mobile(input, output, to)) {
    return {{"error", "LibTorch's backport to bytecode " + std::to_string(to) + " failed"}};
  }
  return {{"bytecode_version", torch::jit::_get_model_bytecode_version(output)}};
}

Json run_compare(const Json& request) {
  Model candidate(request["candidate"], "mobile");
  Json answer = {{"loaded", true}};
  if (!request.value("verify", true)) return answer;
  Model reference(request["reference"], request.value("reference_loader", "mobile"));
  std::vector<c10::IValue> inputs = make_inputs(request["model"]);
  c10::IValue expected = reference.forward(inputs);
  c10::IValue actual = candidate.forward(inputs);
  answer["max_abs_diff"] = max_abs_difference(expected, actual);
  answer["output"] = describe_output(actual);
  return answer;
}

}  // namespace mtool
