// libFuzzer target: the protobuf formats (Core ML specifications, ONNX models)
// and Core ML's weight.bin, each straight from the bytes, without the
// detector choosing which reader runs.
#include <cstddef>
#include <cstdint>

#include "inspect/coreml_spec.h"
#include "inspect/coreml_weights.h"
#include "inspect/probes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtool::Bytes bytes(reinterpret_cast<const char*>(data), size);
  try {
    mtool::read_coreml_spec(bytes);
  } catch (const mtool::FormatError&) {
  }
  try {
    mtool::ModelReport report;
    report.path = "fuzz.onnx";
    mtool::try_inspect_onnx(bytes, report);
  } catch (const mtool::FormatError&) {
  }
  // As weight.bin: the header's own chain, and references at offsets the input names.
  mtool::walk_weight_file(bytes, "weight.bin", {});
  std::vector<mtool::CoreMlBlobRef> refs;
  for (size_t i = 0; i + 8 <= size && refs.size() < 8; i += 8) {
    refs.push_back({"@model_path/weights/weight.bin", mtool::u64le_at(bytes, i) % (size + 128), "const", "fp16"});
  }
  mtool::walk_weight_file(bytes, "weight.bin", refs);
  return 0;
}
