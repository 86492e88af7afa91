// libFuzzer target: inspect and scan end to end, on any bytes.
#include <cstddef>
#include <cstdint>

#include "inspect/inspector.h"
#include "inspect/symbolic_tree.h"
#include "scan/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtool::Bytes bytes(reinterpret_cast<const char*>(data), size);
  mtool::InspectOptions options;
  options.runtime = mtool::find_runtime_release("1.10");
  mtool::inspect_bytes(bytes, "fuzz", options);
  mtool::scan_bytes(bytes, "fuzz", mtool::GlobalPolicy{});
  try {
    mtool::symbolic_tree_of_file(bytes);
  } catch (const mtool::FormatError&) {
  }
  return 0;
}
