#include "qengine_flag.h"

namespace mtool::cli {

void add_qengine_flag(CLI::App& command, std::string& qengine) {
  // Phones run QNNPACK; x86 LibTorch's own default, oneDNN, gives slightly different quantized results.
  command
      .add_option("--qengine", qengine,
                  "Quantized engine for quantized models: qnnpack, onednn or fbgemm (default: qnnpack, as phones "
                  "run them)")
      ->check(CLI::IsMember({"qnnpack", "onednn", "fbgemm"}))
      ->type_name("ENGINE");
}

}  // namespace mtool::cli
