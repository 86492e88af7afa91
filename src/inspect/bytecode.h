#pragma once
// The lite interpreter's bytecode.pkl: its version, its methods with their
// schemas, and the operators each method's OP instructions call.
#include "inspect/model_report.h"
#include "pickle/pickle_node.h"

namespace mtool {

struct BytecodeInfo {
  int64_t version = 0;
  std::vector<MethodSignature> methods;
  std::vector<OperatorUse> operators;  // summed over methods, sorted by name
};

// Throws FormatError when the pickle does not have bytecode's shape.
BytecodeInfo read_bytecode(const PickleProgram& program);

}  // namespace mtool
