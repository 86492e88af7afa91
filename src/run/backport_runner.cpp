#include "run/backport_runner.h"

#include <sstream>
#include <stdexcept>

#include "io/whole_file.h"
#include "run/libtorch_declarations.h"
#include "run/model_runner.h"

namespace mtool {

using Json = nlohmann::json;

Json run_backport(const Json& request) {
  std::string input = request["input"];
  std::string output = request["output"];
  int64_t to = request["to"];
  // Into memory, then to the file: a full disk is then an I/O error, not a
  // throw from LibTorch's writer's destructor (which aborted mtool).
  std::ostringstream written;
  if (!torch::jit::_backport_for_mobile(input, written, to)) {
    return {{"error", "LibTorch's backport to bytecode " + std::to_string(to) + " failed"}};
  }
  write_whole_file(output, written.view());
  return {{"bytecode_version", torch::jit::_get_model_bytecode_version(output)}};
}

Json run_compare(const Json& request) {
  // Before either model loads: quantized models prepack their weights for the engine in effect.
  std::string engine = use_quantized_engine(request);
  Model candidate(request["candidate"], "mobile");
  Json answer = {{"loaded", true}, {"qengine", engine}};
  if (!request.value("verify", true)) return answer;
  const Json& spec = request["model"];
  if (spec.contains("not_compared")) {
    answer["not_compared"] = spec["not_compared"];
    return answer;
  }
  Model reference(request["reference"], request.value("reference_loader", "mobile"));
  std::vector<c10::IValue> inputs = make_inputs(spec);
  c10::IValue expected;
  try {
    expected = reference.forward(inputs);
  } catch (const std::exception& error) {
    // An assumed shape the original itself rejects proves nothing either way.
    if (!spec.value("assumed", false)) throw;
    answer["not_compared"] = "the original rejects the assumed input " +
                             spec.value("description", spec["inputs"].dump()) + " (" + first_line(error.what()) +
                             "); pass --input-shape (and --input-value) to compare outputs";
    return answer;
  }
  c10::IValue actual = candidate.forward(inputs);
  answer["max_abs_diff"] = max_abs_difference(expected, actual);
  answer["output"] = describe_output(actual);
  return answer;
}

Json run_output(const Json& request) {
  use_quantized_engine(request);
  Model model(request["path"], request["loader"]);
  c10::IValue output = model.forward(make_inputs(request["model"]));
  Json answer = {{"output", describe_output(output)}};
  if (output.isTensor()) answer["shape"] = output.toTensor().sizes().vec();
  return answer;
}

}  // namespace mtool
