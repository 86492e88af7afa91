#pragma once
// What inspect reads from an ExecuTorch program (.pte), its BundledProgram
// wrapper (.bpte) or a FlatTensor data file (.ptd). Filled by
// executorch_program.cpp, rendered by cli/render_executorch.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtool {

// One value of a method's signature (an input or an output).
struct EtValue {
  std::string kind;    // "tensor", "int", "double", "bool", "string", "tensor_list", "none", ...
  std::string dtype;   // tensors: "float32", ...
  std::vector<int64_t> shape;
  std::string dynamism;  // tensors: "static", "dynamic_bound", "dynamic_unbound"
};

struct EtDelegate {
  std::string backend;    // "XnnpackBackend", "CoreMLBackend", ...
  std::string location;   // "inline" or "segment"
  uint64_t payload_bytes = 0;
  uint64_t calls = 0;     // DelegateCall instructions naming it
  uint64_t compile_specs = 0;
};

// An operator a method calls through the kernel registry (KernelCall).
struct EtOperator {
  std::string name;      // "aten::add"
  std::string overload;  // "out"
  uint64_t calls = 0;
  // For selective builds: the kernel keys its calls need ("v1/6;0,1|6;0,1|6;0,1").
  std::vector<std::string> kernel_keys;
  std::string full_name() const { return overload.empty() ? name : name + "." + overload; }
};

struct EtMethod {
  std::string name;
  std::vector<EtValue> inputs;
  std::vector<EtValue> outputs;
  std::vector<EtOperator> operators;  // in the plan's operator table order
  std::vector<EtDelegate> delegates;
  uint64_t instructions = 0;
  uint64_t values = 0;
  // Planned (non-constant) memory: one size per memory id; id 0 is unused.
  std::vector<int64_t> planned_buffers;
};

struct EtSegment {
  uint64_t offset = 0;  // from the start of the file
  uint64_t size = 0;
  bool in_file = true;
};

// A tensor whose bytes live outside the .pte (ExtraTensorInfo.location EXTERNAL).
struct EtExternalTensor {
  std::string key;  // fully qualified name, e.g. "linear.weight"
  std::string dtype;
  uint64_t bytes = 0;
  std::string found_in;  // the .ptd file beside the program that holds it, or ""
};

struct EtNamedData {
  std::string key;
  uint64_t bytes = 0;
};

struct EtTestSuite {
  std::string method;
  uint64_t test_cases = 0;
  uint64_t inputs = 0;            // per case, from the first
  uint64_t expected_outputs = 0;  // per case, from the first
};

struct ExecuTorchReport {
  std::string kind = "program";  // "program", "bundled-program" or "data"
  std::string identifier;        // "ET12", "BP06", "FT01"
  uint32_t schema_version = 0;
  std::optional<uint64_t> program_size;         // extended header eh00
  std::optional<uint64_t> segment_base_offset;  // extended header eh00
  std::vector<EtMethod> methods;
  std::vector<EtSegment> segments;
  uint64_t constant_inline_bytes = 0;   // Program.constant_buffer (before Sept 2024)
  uint64_t constant_segment_bytes = 0;  // the constant segment
  std::vector<EtNamedData> named_data;  // Program.named_data, or a .ptd's entries
  std::vector<EtExternalTensor> external_tensors;
  bool external_checked = false;  // whether .ptd files beside it were looked at
  std::vector<EtTestSuite> bundled_tests;
};

}  // namespace mtool
