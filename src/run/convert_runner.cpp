#include "run/convert_runner.h"

#include <torch/csrc/jit/passes/xnnpack_rewrite.h>
#include <torch/script.h>

#include "run/libtorch_declarations.h"

namespace mtool {

nlohmann::json run_convert(const nlohmann::json& request) {
  torch::jit::Module module = torch::jit::load(request["input"].get<std::string>());
  module.eval();
  if (request.value("optimize", false)) module = torch::jit::optimizeForMobile(module);
  std::string output = request["output"];
  module._save_for_mobile(output, {}, /*save_mobile_debug_info=*/false, request.value("flatbuffer", false));
  return {{"bytecode_version", torch::jit::_get_model_bytecode_version(output)}};
}

}  // namespace mtool
