#pragma once
// TorchScript's serialized Python source (code/**.py): which classes it
// defines, their methods and signatures, and which operators it calls. Read as
// text; nothing is compiled or run.
#include <map>
#include <string>
#include <string_view>

#include "inspect/model_report.h"

namespace mtool {

struct CodeInfo {
  std::vector<ClassInfo> classes;
  std::map<std::string, MethodSignature> forward_by_class;  // qualified class -> forward
  std::map<std::string, uint64_t> call_sites;               // "aten::add" -> count
};

// "code/__torch__/torch/nn/modules/conv.py" -> "__torch__.torch.nn.modules.conv"
std::string module_of_code_record(std::string_view record_name);

// Adds what one source file defines and calls.
void scan_torchscript_source(const std::string& module, std::string_view source, CodeInfo& info);

// call_sites as operator uses, sorted by name.
std::vector<OperatorUse> operators_from_code(const CodeInfo& info);

}  // namespace mtool
