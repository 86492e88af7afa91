// Lite-interpreter models saved as flatbuffers (_save_for_lite_interpreter with
// _use_flatbuffer=True, PyTorch 1.12+): file identifier "PTMF" at byte 4.
// Field ids from torch/csrc/jit/serialization/mobile_bytecode.fbs.
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <set>

#include "inspect/executorch_dtypes.h"
#include "inspect/probes.h"
#include "io/byte_reader.h"
#include "io/flatbuffer_reader.h"

namespace mtool {

namespace {

// Module: bytecode_version 0, methods 2 (ivalue indices), state_obj 3, ivalues 4,
// storage_data 6 (StorageData: data 0), object_types 7 (ObjectType: type_name 0).
// IValue: a union (type 0, value 1) of NONE 0, the structs Int 1 (long), Bool 2
// and Double 3, TensorMetadata 5 (storage_location_index 0, scalar_type 1 in
// c10's numbering, sizes 3), String 6 (data 0), Object 10 (type_index 0) and
// Function 16 (qn 0, instructions 1, operators 2, schema 6). Schema: arguments
// 0, returns 1, each an Arg: name 0, type 1, default_value 2 (an ivalue index).
// Instruction is an 8-byte struct (op byte, pad, n ushort, x int); Operator
// is name 0, overload_name 1, num_args_serialized 2.
constexpr uint8_t kInt = 1;
constexpr uint8_t kBool = 2;
constexpr uint8_t kDouble = 3;
constexpr uint8_t kTensorMetadata = 5;
constexpr uint8_t kString = 6;
constexpr uint8_t kObject = 10;
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

// A tensor's storage is counted once, however many tensors view it; its size is the stored data's.
void count_tensor(const FlatTable& tensor, const FlatVector& storages, std::set<uint32_t>& seen,
                  TensorSummary& summary) {
  FlatVector sizes = tensor.vector(3, 4);
  std::vector<int64_t> shape;
  uint64_t elements = 1;
  for (uint64_t d = 0; d < sizes.size(); ++d) {
    int32_t size = sizes.i32(d);
    if (size < 0) throw FormatError(fmt::format("tensor size {} is negative", size));
    shape.push_back(size);
    elements = checked_mul(elements, static_cast<uint64_t>(size), "tensor element count");
  }
  int scalar_type = tensor.u8(1);  // c10::ScalarType numbers are small and positive
  uint32_t storage = tensor.u32(0);
  uint64_t bytes = 0;
  if (storage < storages.size() && seen.insert(storage).second) bytes = storages.table(storage).vector(0, 1).size();
  summary.add(scalar_type_name(scalar_type), elements, bytes);
  if (is_quantized_scalar_type(scalar_type)) ++summary.quantized;
  if (summary.first_4d_shape.empty() && shape.size() == 4) summary.first_4d_shape = shape;
}

// A default value as Python prints it; nullopt for None (no default) and for kinds not shown.
std::optional<std::string> default_value(const FlatVector& ivalues, uint32_t index) {
  if (index >= ivalues.size()) return std::nullopt;
  FlatTable value = ivalues.table(index);
  switch (value.union_type(0)) {
    case kInt:
      if (std::optional<Bytes> bytes = value.union_struct(0, 8))
        return std::to_string(static_cast<int64_t>(u64le_at(*bytes, 0)));
      break;
    case kBool:
      if (std::optional<Bytes> bytes = value.union_struct(0, 1)) return (*bytes)[0] != 0 ? "True" : "False";
      break;
    case kDouble:
      if (std::optional<Bytes> bytes = value.union_struct(0, 8)) {
        uint64_t bits = u64le_at(*bytes, 0);
        double number = 0;
        std::memcpy(&number, &bits, sizeof number);
        std::string text = fmt::format("{}", number);
        return text.find_first_of(".eEn") == std::string::npos ? text + ".0" : text;
      }
      break;
    case kString:
      if (std::optional<FlatTable> string = value.union_table(0))
        return fmt::format("'{}'", string->string(0).value_or(""));
      break;
    default: break;
  }
  return std::nullopt;
}

std::vector<Argument> schema_arguments(const FlatVector& arguments, const FlatVector& ivalues, bool skip_receiver) {
  std::vector<Argument> out;
  for (uint64_t i = 0; i < arguments.size(); ++i) {
    FlatTable entry = arguments.table(i);
    Argument argument{std::string(entry.string(0).value_or("?")), std::string(entry.string(1).value_or("?")), {}};
    // The module itself is the first argument; it is not an input.
    if (i == 0 && skip_receiver && argument.type.starts_with("__torch__.")) continue;
    if (entry.has(2)) argument.default_value = default_value(ivalues, entry.u32(2));
    out.push_back(std::move(argument));
  }
  return out;
}

MethodSignature method_of(const FlatTable& function, const FlatVector& ivalues) {
  MethodSignature method = MethodSignature::named(function.string(0).value_or("?"));
  if (std::optional<FlatTable> schema = function.table(6)) {
    std::vector<std::string> types;
    for (const Argument& value : schema_arguments(schema->vector(1, 4), ivalues, false)) types.push_back(value.type);
    method.signature = Signature{schema_arguments(schema->vector(0, 4), ivalues, true), render_returns(types)};
  }
  return method;
}

// The root module's class: the state object's type name.
std::string root_class(const FlatTable& module, const FlatVector& ivalues) {
  uint32_t state = module.u32(3);
  if (state >= ivalues.size()) return "";
  FlatTable value = ivalues.table(state);
  if (value.union_type(0) != kObject) return "";
  std::optional<FlatTable> object = value.union_table(0);
  FlatVector types = module.vector(7, 4);
  uint32_t type = object ? object->u32(0) : 0;
  if (!object || type >= types.size()) return "";
  return std::string(types.table(type).string(0).value_or(""));
}

// The module's methods (forward among them) with their signatures.
void read_methods(const FlatTable& module, const FlatVector& ivalues, ModelReport& report) {
  std::string root = root_class(module, ivalues);
  if (!root.empty()) report.root_classes = {root};
  FlatVector methods = module.vector(2, 4);
  for (uint64_t i = 0; i < methods.size(); ++i) {
    uint32_t index = methods.u32(i);
    if (index >= ivalues.size()) continue;
    FlatTable value = ivalues.table(index);
    std::optional<FlatTable> function = value.union_type(0) == kFunction ? value.union_table(0) : std::nullopt;
    if (!function) continue;
    report.methods.push_back(method_of(*function, ivalues));
    const MethodSignature& method = report.methods.back();
    if (method.name == "forward" && (root.empty() || method.owner == root) && !report.forward) report.forward = method;
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
  FlatVector storages = module.vector(6, 4);
  TensorSummary tensors;
  std::set<uint32_t> seen_storages;
  for (uint64_t i = 0; i < ivalues.size(); ++i) {
    FlatTable ivalue = ivalues.table(i);
    uint8_t type = ivalue.union_type(0);
    if (type != kFunction && type != kTensorMetadata) continue;
    std::optional<FlatTable> value = ivalue.union_table(0);
    if (!value) continue;
    if (type == kFunction) count_function_operators(*value, totals);
    if (type == kTensorMetadata) count_tensor(*value, storages, seen_storages, tensors);
  }
  if (tensors.count > 0) report.tensors = std::move(tensors);
  read_methods(module, ivalues, report);
  for (auto& [key, use] : totals) report.operators.push_back(std::move(use));
  if (!report.operators.empty()) report.operators_source = "bytecode";
  return true;
}

}  // namespace mtool
