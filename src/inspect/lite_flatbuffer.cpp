// Lite-interpreter models saved as flatbuffers (_save_for_lite_interpreter with
// _use_flatbuffer=True, PyTorch 1.12+): file identifier "PTMF" at byte 4.
// Field ids from torch/csrc/jit/serialization/mobile_bytecode.fbs.
#include <fmt/format.h>
#include <map>

#include "inspect/probes.h"
#include "io/flatbuffer_reader.h"

namespace mtool {

namespace {

// Module: bytecode_version 0, ivalues 4. IValue: a union (type 0, value 1)
// whose 16th member is Function: qn 0, instructions 1, operators 2.
// Instruction is an 8-byte struct (op byte, pad, n ushort, x int); Operator
// is name 0, overload_name 1, num_args_serialized 2.
constexpr uint8_t kFunction = 16;
constexpr uint8_t kOp = 0;   // OpCode OP: call operators[x]
constexpr uint8_t kOpn = 1;  // OpCode OPN: the same, for vararg operators

void count_function_operators(const FlatTable& function, std::map<std::pair<std::string, std::string>, OperatorUse>& totals) {
  FlatVector operators = function.vector(2, 4);
  std::vector<uint64_t> uses(operators.size(), 0);
  FlatVector instructions = function.vector(1, 8);
  Bytes code = instructions.bytes();
  for (uint64_t i = 0; i < instructions.size(); ++i) {
    uint8_t op = static_cast<uint8_t>(code[i * 8]);
    auto index = static_cast<int32_t>(u32le_at(code, i * 8 + 4));
    if ((op == kOp || op == kOpn) && index >= 0 && static_cast<uint64_t>(index) < uses.size()) ++uses[index];
  }
  for (uint64_t i = 0; i < operators.size(); ++i) {
    FlatTable entry = operators.table(i);
    std::pair key{std::string(entry.string(0).value_or("?")), std::string(entry.string(1).value_or(""))};
    OperatorUse& use = totals[key];
    use.name = key.first;
    use.overload = key.second;
    use.count += uses[i];
    if (!use.num_specified_args && entry.has(2)) use.num_specified_args = entry.i32(2);
  }
}

}  // namespace

bool try_inspect_lite_flatbuffer(Bytes file, ModelReport& report) {
  if (flatbuffer_identifier(file) != "PTMF") return false;
  report.format = ModelFormat::LiteFlatbuffer;
  report.description = "lite-interpreter flatbuffer (_save_for_lite_interpreter(_use_flatbuffer=True))";
  FlatBuffer buffer(file);
  FlatTable module = FlatTable::root(buffer);
  if (module.has(0)) report.bytecode_version = module.u32(0);
  // Every function the module holds (methods and class methods such as
  // __setstate__), as _export_operator_list walks them.
  std::map<std::pair<std::string, std::string>, OperatorUse> totals;
  FlatVector ivalues = module.vector(4, 4);
  for (uint64_t i = 0; i < ivalues.size(); ++i) {
    FlatTable ivalue = ivalues.table(i);
    if (ivalue.union_type(0) != kFunction) continue;
    if (std::optional<FlatTable> function = ivalue.union_table(0)) count_function_operators(*function, totals);
  }
  for (auto& [key, use] : totals) report.operators.push_back(std::move(use));
  if (!report.operators.empty()) report.operators_source = "bytecode";
  return true;
}

}  // namespace mtool
