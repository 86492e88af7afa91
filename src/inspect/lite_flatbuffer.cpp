// Lite-interpreter models saved as flatbuffers (_save_for_lite_interpreter with
// _use_flatbuffer=True, PyTorch 1.12+): file identifier "PTMF" at byte 4.
#include <fmt/format.h>

#include "inspect/probes.h"
#include "io/wire_formats.h"

namespace mtool {

bool try_inspect_lite_flatbuffer(Bytes file, ModelReport& report) {
  if (file.size() < 8 || file.substr(4, 4) != "PTMF") return false;
  report.format = ModelFormat::LiteFlatbuffer;
  report.description = "lite-interpreter flatbuffer (_save_for_lite_interpreter(_use_flatbuffer=True))";
  // torch/csrc/jit/serialization/mobile_bytecode.fbs: Module's first field is
  // bytecode_version.
  if (auto version = flatbuffer_root_u32(file, 0)) report.bytecode_version = *version;
  return true;
}

}  // namespace mtool
