// ExecuTorch programs (.pte), BundledPrograms and FlatTensor data files
// (.ptd), read with the bounds-checked flatbuffer reader. Field ids follow
// ExecuTorch's schema/program.fbs, schema/bundled_program_schema.fbs and
// extension/flat_tensor/flat_tensor.fbs (public); the reader is mtool's own.
#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <set>

#include "inspect/executorch_dtypes.h"
#include "inspect/probes.h"
#include "io/flatbuffer_reader.h"

namespace mtool {

namespace {

// Program (program.fbs)
enum ProgramField : unsigned {
  kProgramVersion = 0, kExecutionPlans = 1, kConstantBuffers = 2, kDelegateData = 3, kSegments = 4,
  kConstantSegment = 5, kNamedData = 7,
};
// ExecutionPlan
enum PlanField : unsigned {
  kPlanName = 0, kPlanValues = 2, kPlanInputs = 3, kPlanOutputs = 4, kPlanChains = 5, kPlanOperators = 6,
  kPlanDelegates = 7, kPlanBufferSizes = 8,
};
// Tensor
enum TensorField : unsigned {
  kScalarType = 0, kSizes = 2, kDimOrder = 3, kDataBufferIndex = 5, kAllocationInfo = 6, kShapeDynamism = 8,
  kExtraTensorInfo = 9,
};
// The KernelTypes union's members, in declaration order (0 is NONE).
enum KernelType : uint8_t {
  kNull = 1, kInt = 2, kBool = 3, kDouble = 4, kTensor = 5, kString = 6, kIntList = 7, kDoubleList = 8,
  kBoolList = 9, kTensorList = 10, kOptionalTensorList = 11,
};
// The InstructionArguments union's members.
enum InstructionType : uint8_t { kKernelCall = 1, kDelegateCall = 2 };
constexpr uint8_t kLocationExternal = 1;  // TensorDataLocation / ExtraTensorInfo.location
constexpr uint8_t kDelegateInSegment = 1;  // DataLocation SEGMENT

bool is_identifier(std::string_view id, std::string_view prefix) {
  return id.size() == 4 && id.substr(0, 2) == prefix && std::isdigit(static_cast<unsigned char>(id[2])) &&
         std::isdigit(static_cast<unsigned char>(id[3]));
}

// The 32-byte extended header at byte 8 ("eh00" for programs, "FH01" for
// data files): magic, its length, then the flatbuffer's size and where the
// segments begin.
void read_extended_header(Bytes file, std::string_view magic, ExecuTorchReport& et) {
  if (file.size() < 32 || file.substr(8, 4) != magic) return;
  if (magic == "eh00") {
    et.program_size = u64le_at(file, 16);
    et.segment_base_offset = u64le_at(file, 24);
    if (*et.program_size > file.size()) {
      throw FormatError(fmt::format("ExecuTorch extended header: the program is {} bytes but the file has {}",
                                    *et.program_size, file.size()));
    }
  } else {
    // FlatTensor header: flatbuffer offset and size, then the segment base.
    et.segment_base_offset = u64le_at(file, 32);
  }
}

EtValue describe_value(const FlatVector& values, int64_t index) {
  EtValue value;
  if (index < 0 || static_cast<uint64_t>(index) >= values.size()) {
    value.kind = "invalid";
    return value;
  }
  FlatTable evalue = values.table(static_cast<uint64_t>(index));
  uint8_t type = evalue.union_type(0);
  static const char* const kKinds[] = {"none", "none", "int", "bool", "double", "tensor", "string",
                                       "int_list", "double_list", "bool_list", "tensor_list", "optional_tensor_list"};
  value.kind = type < std::size(kKinds) ? kKinds[type] : fmt::format("kind {}", type);
  if (type != kTensor) return value;
  std::optional<FlatTable> tensor = evalue.union_table(0);
  if (!tensor) return value;
  value.dtype = scalar_type_name(tensor->i8(kScalarType));
  FlatVector sizes = tensor->vector(kSizes, 4);
  for (uint64_t i = 0; i < sizes.size(); ++i) value.shape.push_back(sizes.i32(i));
  static const char* const kDynamism[] = {"static", "dynamic_bound", "dynamic_unbound"};
  uint8_t dynamism = tensor->u8(kShapeDynamism);
  value.dynamism = dynamism < 3 ? kDynamism[dynamism] : "unknown";
  return value;
}

std::vector<EtValue> describe_values(const FlatVector& values, const FlatVector& indices) {
  std::vector<EtValue> described;
  for (uint64_t i = 0; i < indices.size(); ++i) described.push_back(describe_value(values, indices.i32(i)));
  return described;
}

// "scalar_type;dim_order|" for a tensor value, as ExecuTorch's gen_oplist
// writes kernel keys for selective builds.
std::string tensor_kernel_key(const FlatVector& values, int64_t index) {
  if (index < 0 || static_cast<uint64_t>(index) >= values.size()) return "";
  FlatTable evalue = values.table(static_cast<uint64_t>(index));
  if (evalue.union_type(0) != kTensor) return "";
  std::optional<FlatTable> tensor = evalue.union_table(0);
  if (!tensor) return "";
  FlatVector dim_order = tensor->vector(kDimOrder, 1);
  std::vector<unsigned> dims;
  for (uint64_t i = 0; i < dim_order.size(); ++i) dims.push_back(dim_order.u8(i));
  return fmt::format("{};{}|", tensor->i8(kScalarType), fmt::join(dims, ","));
}

std::string kernel_key(const FlatVector& values, const FlatVector& args) {
  std::string key = "v1/";
  for (uint64_t i = 0; i < args.size(); ++i) {
    int64_t index = args.i32(i);
    if (index >= 0 && static_cast<uint64_t>(index) < values.size()) {
      FlatTable evalue = values.table(static_cast<uint64_t>(index));
      uint8_t type = evalue.union_type(0);
      if (type == kTensorList || type == kOptionalTensorList) {
        if (std::optional<FlatTable> list = evalue.union_table(0)) {
          FlatVector items = list->vector(0, 4);
          for (uint64_t j = 0; j < items.size(); ++j) key += tensor_kernel_key(values, items.i32(j));
        }
        continue;
      }
    }
    key += tensor_kernel_key(values, index);
  }
  key.pop_back();  // the last '|', or the '/' of a call without tensors
  return key;
}

// The product of a tensor's sizes (negative sizes count as 0), checked.
uint64_t element_count(const FlatVector& sizes) {
  uint64_t elements = 1;
  for (uint64_t i = 0; i < sizes.size(); ++i) {
    elements = checked_mul(elements, static_cast<uint64_t>(std::max(0, sizes.i32(i))), "tensor size");
  }
  return elements;
}

uint64_t segment_size(const FlatVector& segments, uint64_t index) {
  if (index >= segments.size()) return 0;
  return segments.table(index).u64(1);
}

void read_delegates(FlatTable program, FlatTable plan, EtMethod& method) {
  FlatVector delegates = plan.vector(kPlanDelegates, 4);
  FlatVector inline_data = program.vector(kDelegateData, 4);
  FlatVector segments = program.vector(kSegments, 4);
  for (uint64_t i = 0; i < delegates.size(); ++i) {
    FlatTable delegate = delegates.table(i);
    EtDelegate use;
    use.backend = std::string(delegate.string(0).value_or("?"));
    use.compile_specs = delegate.vector(2, 4).size();
    if (std::optional<FlatTable> processed = delegate.table(1)) {
      uint32_t index = processed->u32(1);
      if (processed->u8(0) == kDelegateInSegment) {
        use.location = "segment";
        use.payload_bytes = segment_size(segments, index);
      } else {
        use.location = "inline";
        if (index < inline_data.size()) use.payload_bytes = inline_data.table(index).vector(0, 1).size();
      }
    }
    method.delegates.push_back(use);
  }
}

void read_instructions(FlatTable plan, const FlatVector& values, EtMethod& method) {
  FlatVector chains = plan.vector(kPlanChains, 4);
  for (uint64_t c = 0; c < chains.size(); ++c) {
    FlatVector instructions = chains.table(c).vector(2, 4);
    for (uint64_t i = 0; i < instructions.size(); ++i) {
      ++method.instructions;
      FlatTable instruction = instructions.table(i);
      std::optional<FlatTable> call = instruction.union_table(0);
      if (!call) continue;
      int32_t index = call->i32(0);
      if (index < 0) continue;
      auto slot = static_cast<uint64_t>(index);
      if (instruction.union_type(0) == kKernelCall && slot < method.operators.size()) {
        EtOperator& op = method.operators[slot];
        ++op.calls;
        op.kernel_keys.push_back(kernel_key(values, call->vector(1, 4)));
      } else if (instruction.union_type(0) == kDelegateCall && slot < method.delegates.size()) {
        ++method.delegates[slot].calls;
      }
    }
  }
  for (EtOperator& op : method.operators) {
    std::sort(op.kernel_keys.begin(), op.kernel_keys.end());
    op.kernel_keys.erase(std::unique(op.kernel_keys.begin(), op.kernel_keys.end()), op.kernel_keys.end());
  }
}

EtMethod read_method(FlatTable program, FlatTable plan) {
  EtMethod method;
  method.name = std::string(plan.string(kPlanName).value_or(""));
  FlatVector values = plan.vector(kPlanValues, 4);
  method.values = values.size();
  method.inputs = describe_values(values, plan.vector(kPlanInputs, 4));
  method.outputs = describe_values(values, plan.vector(kPlanOutputs, 4));
  FlatVector operators = plan.vector(kPlanOperators, 4);
  for (uint64_t i = 0; i < operators.size(); ++i) {
    FlatTable op = operators.table(i);
    method.operators.push_back({std::string(op.string(0).value_or("?")), std::string(op.string(1).value_or("")), 0, {}});
  }
  read_delegates(program, plan, method);
  read_instructions(plan, values, method);
  FlatVector sizes = plan.vector(kPlanBufferSizes, 8);
  for (uint64_t i = 0; i < sizes.size(); ++i) method.planned_buffers.push_back(sizes.i64(i));
  return method;
}

// Constant and external tensors, each storage counted once.
void read_tensors(FlatTable program, ExecuTorchReport& et, TensorSummary& tensors) {
  std::set<uint32_t> seen_buffers;
  std::set<std::string> seen_external;
  FlatVector plans = program.vector(kExecutionPlans, 4);
  for (uint64_t p = 0; p < plans.size(); ++p) {
    FlatVector values = plans.table(p).vector(kPlanValues, 4);
    for (uint64_t v = 0; v < values.size(); ++v) {
      FlatTable evalue = values.table(v);
      if (evalue.union_type(0) != kTensor) continue;
      std::optional<FlatTable> tensor = evalue.union_table(0);
      if (!tensor) continue;
      std::optional<FlatTable> extra = tensor->table(kExtraTensorInfo);
      bool external = extra && extra->u8(2) == kLocationExternal;
      uint32_t buffer = tensor->u32(kDataBufferIndex);
      if (!external && (buffer == 0 || !seen_buffers.insert(buffer).second)) continue;
      std::string key = external ? std::string(extra->string(1).value_or("")) : "";
      if (external && !seen_external.insert(key).second) continue;
      int8_t scalar_type = tensor->i8(kScalarType);
      uint64_t elements = element_count(tensor->vector(kSizes, 4));
      uint64_t bytes = checked_mul(elements, scalar_type_size(scalar_type), "tensor size");
      if (external) {
        et.external_tensors.push_back({key, scalar_type_name(scalar_type), bytes, ""});
        continue;
      }
      tensors.add(scalar_type_name(scalar_type), elements, bytes);
      if (is_quantized_scalar_type(scalar_type)) ++tensors.quantized;
    }
  }
}

void read_segments(FlatTable program, Bytes file, ExecuTorchReport& et) {
  FlatVector segments = program.vector(kSegments, 4);
  for (uint64_t i = 0; i < segments.size(); ++i) {
    FlatTable segment = segments.table(i);
    EtSegment entry;
    entry.size = segment.u64(1);
    uint64_t relative = segment.u64(0);
    if (entry.size == 0) {
      entry.offset = et.segment_base_offset.value_or(0);
    } else if (!et.segment_base_offset) {
      entry.in_file = false;  // segments need the extended header to be found
      entry.offset = relative;
    } else {
      entry.offset = checked_add(*et.segment_base_offset, relative, "segment offset");
      entry.in_file = entry.offset <= file.size() && entry.size <= file.size() - entry.offset;
    }
    et.segments.push_back(entry);
  }
  FlatVector inline_constants = program.vector(kConstantBuffers, 4);
  for (uint64_t i = 0; i < inline_constants.size(); ++i) {
    et.constant_inline_bytes += inline_constants.table(i).vector(0, 1).size();
  }
  if (std::optional<FlatTable> constant = program.table(kConstantSegment)) {
    if (constant->vector(1, 8).size() > 1) et.constant_segment_bytes = segment_size(segments, constant->u32(0));
  }
  FlatVector named = program.vector(kNamedData, 4);
  for (uint64_t i = 0; i < named.size(); ++i) {
    FlatTable entry = named.table(i);
    et.named_data.push_back({std::string(entry.string(0).value_or("")), segment_size(segments, entry.u32(1))});
  }
}

// The union of every method's operators, for the generic operator list.
void summarise_operators(const ExecuTorchReport& et, ModelReport& report) {
  std::map<std::string, size_t> index;
  for (const EtMethod& method : et.methods) {
    for (const EtOperator& op : method.operators) {
      auto [slot, added] = index.try_emplace(op.full_name(), report.operators.size());
      if (added) report.operators.push_back({op.name, op.overload, 0, std::nullopt});
      report.operators[slot->second].count += op.calls;
    }
  }
  report.operators_source = "program";
}

void read_program(Bytes file, ModelReport& report, ExecuTorchReport& et) {
  read_extended_header(file, "eh00", et);
  FlatBuffer buffer(et.program_size ? file.substr(0, *et.program_size) : file);
  FlatTable program = FlatTable::root(buffer);
  et.schema_version = program.u32(kProgramVersion);
  FlatVector plans = program.vector(kExecutionPlans, 4);
  for (uint64_t i = 0; i < plans.size(); ++i) et.methods.push_back(read_method(program, plans.table(i)));
  read_segments(program, file, et);
  TensorSummary tensors;
  read_tensors(program, et, tensors);
  report.tensors = tensors;
  summarise_operators(et, report);
}

std::string methods_phrase(const ExecuTorchReport& et) {
  return fmt::format("{} method{}", et.methods.size(), et.methods.size() == 1 ? "" : "s");
}

bool inspect_program(Bytes file, ModelReport& report) {
  std::string_view id = flatbuffer_identifier(file);
  if (!is_identifier(id, "ET")) return false;
  report.format = ModelFormat::ExecuTorch;
  ExecuTorchReport et;
  et.identifier = std::string(id);
  report.description = fmt::format("ExecuTorch program (identifier {})", id);
  if (id != "ET12") {
    // Other versions lay fields out differently; say what it is and stop.
    report.executorch = et;
    return true;
  }
  read_program(file, report, et);
  report.description += fmt::format(", {}", methods_phrase(et));
  report.executorch = std::move(et);
  return true;
}

// BundledProgram: execution_plan_tests 1, program 2; a test is method_name 0,
// test_sets 1; a test set is inputs 0, expected_outputs 1.
bool inspect_bundled_program(Bytes file, ModelReport& report) {
  std::string_view id = flatbuffer_identifier(file);
  if (!is_identifier(id, "BP")) return false;
  FlatBuffer buffer(file);
  FlatTable bundle = FlatTable::root(buffer);
  FlatVector program = bundle.vector(2, 1);
  if (!is_identifier(flatbuffer_identifier(program.bytes()), "ET")) return false;
  if (!inspect_program(program.bytes(), report)) return false;
  ExecuTorchReport& et = *report.executorch;
  et.kind = "bundled-program";
  FlatVector tests = bundle.vector(1, 4);
  for (uint64_t i = 0; i < tests.size(); ++i) {
    FlatTable test = tests.table(i);
    EtTestSuite suite{std::string(test.string(0).value_or("")), 0, 0, 0};
    FlatVector sets = test.vector(1, 4);
    suite.test_cases = sets.size();
    if (!sets.empty()) {
      suite.inputs = sets.table(0).vector(0, 4).size();
      suite.expected_outputs = sets.table(0).vector(1, 4).size();
    }
    et.bundled_tests.push_back(suite);
  }
  report.description = fmt::format("ExecuTorch BundledProgram (identifier {}) holding an {} program, {} test suites",
                                   id, et.identifier, et.bundled_tests.size());
  return true;
}

// FlatTensor (.ptd). Two layouts share FT01: the first (early 2025) has
// version 0, tensor_alignment 1, tensors 2, segments 3; the current one has
// version 0, segments 1, named_data 2.
bool inspect_data_file(Bytes file, ModelReport& report) {
  std::string_view id = flatbuffer_identifier(file);
  if (id != "FT01") return false;
  report.format = ModelFormat::ExecuTorch;
  ExecuTorchReport et;
  et.kind = "data";
  et.identifier = std::string(id);
  read_extended_header(file, "FH01", et);
  FlatBuffer buffer(file);
  FlatTable root = FlatTable::root(buffer);
  et.schema_version = root.u32(0);
  bool first_layout = root.has(3);
  FlatVector segments = root.vector(first_layout ? 3 : 1, 4);
  FlatVector entries = root.vector(2, 4);
  TensorSummary tensors;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    FlatTable entry = entries.table(i);
    EtNamedData named{std::string(entry.string(0).value_or("")), 0};
    std::optional<FlatTable> layout = first_layout ? std::optional<FlatTable>(entry) : entry.table(2);
    if (layout) {
      int8_t scalar_type = layout->i8(first_layout ? 1 : 0);
      uint64_t elements = element_count(layout->vector(first_layout ? 2 : 1, 4));
      named.bytes = checked_mul(elements, scalar_type_size(scalar_type), "tensor size");
      tensors.add(scalar_type_name(scalar_type), elements, named.bytes);
    } else {
      named.bytes = segment_size(segments, entry.u32(1));
    }
    et.named_data.push_back(named);
  }
  for (uint64_t i = 0; i < segments.size(); ++i) {
    FlatTable segment = segments.table(i);
    EtSegment entry{checked_add(et.segment_base_offset.value_or(0), segment.u64(0), "segment offset"), segment.u64(1),
                    true};
    entry.in_file = entry.offset <= file.size() && entry.size <= file.size() - entry.offset;
    et.segments.push_back(entry);
  }
  report.tensors = tensors;
  report.description = fmt::format("ExecuTorch FlatTensor data file (identifier {}), {} named tensors", id,
                                   et.named_data.size());
  report.executorch = std::move(et);
  return true;
}

}  // namespace

bool try_inspect_executorch(Bytes file, ModelReport& report) {
  return inspect_program(file, report) || inspect_bundled_program(file, report) || inspect_data_file(file, report);
}

}  // namespace mtool
