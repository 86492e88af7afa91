#include "qengine_flag.h"

namespace mtool::cli {

void add_qengine_flag(CLI::App& command, std::string& qengine) {
  // Phones run QNNPACK; x86 LibTorch defaults to oneDNN, whose quantized results differ slightly.
  command.add_option("--qengine", qengine,
                     "Quantized engine for quantized models: qnnpack (as phones run them), onednn or fbgemm "
                     "(default: LibTorch's, onednn on x86)")
      ->check(CLI::IsMember({"qnnpack", "onednn", "fbgemm"}))
      ->type_name("ENGINE");
}

}  // namespace mtool::cli
