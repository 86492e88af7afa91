// libFuzzer target: any bytes as an error log through explain's reader,
// matcher and the catalog's readers of numbers and names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "explain/explainer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mtool::ExplainReport report = mtool::explain_text(text);
  for (const mtool::Finding& finding : report.findings) {
    if (finding.code.empty() || finding.lines.empty()) __builtin_trap();
  }
  return 0;
}
