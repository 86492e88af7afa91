// libFuzzer target: inspect and scan end to end, on any bytes.
#include <cstddef>
#include <cstdint>

#include "inspect/inspector.h"
#include "inspect/symbolic_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtool::Bytes bytes(reinterpret_cast<const char*>(data), size);
  mtool::InspectOptions options;
  options.runtime = mtool::find_runtime_release("1.10");
  // inspect_bytes runs scan_bytes with the default policy itself (its security
  // section), so `mtool scan` is covered without scanning each input twice.
  mtool::inspect_bytes(bytes, "fuzz", options);
  try {
    mtool::symbolic_tree_of_file(bytes);
  } catch (const mtool::FormatError&) {
  }
  return 0;
}
