// libFuzzer target: the flatbuffer readers (ExecuTorch programs, BundledPrograms,
// FlatTensor data files, TFLite models) on any bytes. The first byte picks the
// file identifier, so the fuzzer reaches each reader without guessing it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "inspect/probes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  static const char* const kIdentifiers[] = {"ET12", "BP06", "FT01", "TFL3", "ET09"};
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bytes.replace(4, 4, kIdentifiers[data[0] % 5]);
  mtool::ModelReport report;
  try {
    if (!mtool::try_inspect_executorch(bytes, report)) mtool::try_inspect_tflite(bytes, report);
  } catch (const mtool::FormatError&) {
  }
  return 0;
}
