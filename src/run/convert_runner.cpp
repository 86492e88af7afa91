#include "run/convert_runner.h"

#include <torch/csrc/jit/passes/xnnpack_rewrite.h>
#include <torch/script.h>

#include <sstream>

#include "io/whole_file.h"
#include "run/libtorch_declarations.h"
#include "run/model_runner.h"

namespace mtool {

nlohmann::json run_convert(const nlohmann::json& request) {
  // optimize_for_mobile prepacks quantized weights for the engine in effect, as Python's does.
  use_quantized_engine(request);
  // Extra files are read only when named beforehand; naming the ones inspect
  // found carries them (mtool's recipe and labels among them) into the output.
  torch::jit::ExtraFilesMap extra_files;
  for (const auto& name : request.value("extra_files", nlohmann::json::array())) extra_files[name.get<std::string>()] = "";
  torch::jit::Module module = torch::jit::load(request["input"].get<std::string>(), c10::nullopt, extra_files);
  module.eval();
  if (request.value("optimize", false)) module = torch::jit::optimizeForMobile(module);
  std::string output = request["output"];
  // Into memory, then to the file, as backport does: a full disk is an I/O error.
  std::ostringstream written;
  module._save_for_mobile(written, extra_files, /*save_mobile_debug_info=*/false, request.value("flatbuffer", false));
  write_whole_file(output, written.view());
  return {{"bytecode_version", torch::jit::_get_model_bytecode_version(output)}};
}

}  // namespace mtool
