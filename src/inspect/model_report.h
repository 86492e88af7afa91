#pragma once
// What `mtool inspect` knows about one file. Parsers fill it; cli/ renders it
// as text or JSON. Nothing here prints.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/coreml_report.h"
#include "inspect/onnx_report.h"
#include "inspect/executorch_report.h"
#include "inspect/pickle_contents.h"
#include "inspect/signature.h"
#include "inspect/tflite_report.h"

namespace mtool {

enum class ModelFormat {
  TorchScript,      // torch.jit.save archive (code/ + constants.pkl, no bytecode.pkl)
  Lite,             // lite-interpreter archive (bytecode.pkl)
  LiteFlatbuffer,   // lite-interpreter flatbuffer (identifier PTMF)
  TorchSave,        // torch.save zip (data.pkl + data/N, no code/)
  TorchSaveLegacy,  // torch.save before PyTorch 1.6 (magic-number pickle stream)
  Pickle,
  ExecuTorch,
  Onnx,
  CoreMl,
  TfLite,
  Safetensors,
  Gguf,
  Zip,              // a zip that is not a PyTorch archive
  Unknown,
  Corrupt,          // recognised, but damaged or truncated
};

// The stable names used in --json and docs/inspect-json.md.
const char* format_name(ModelFormat format);

enum class Severity { Info, Warning, Error };
const char* severity_name(Severity severity);

struct Diagnosis {
  std::string code;  // stable, e.g. "torch-save-not-torchscript"
  Severity severity = Severity::Info;
  std::string message;  // one sentence: the cause
  std::string fix;      // one sentence: what to do
};

struct ArchiveRecord {
  std::string name;  // without the archive's top folder
  uint64_t size = 0;
  uint64_t compressed_size = 0;
  bool compressed = false;
};

struct OperatorUse {
  std::string name;      // "aten::conv2d"
  std::string overload;  // "Tensor", or "" for the default overload
  uint64_t count = 0;    // OP instructions (bytecode) or call sites (code)
  std::optional<int64_t> num_specified_args;  // bytecode v6+
  std::string full_name() const { return overload.empty() ? name : name + "." + overload; }
};

struct DtypeTotals {
  uint64_t tensors = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

struct TensorSummary {
  uint64_t count = 0;
  uint64_t elements = 0;  // parameters and buffers, summed over tensors
  uint64_t bytes = 0;     // storage bytes, each storage counted once
  uint64_t quantized = 0;
  std::map<std::string, DtypeTotals> by_dtype;
  // Counts one tensor in the totals and in its dtype's.
  void add(const std::string& dtype, uint64_t tensor_elements, uint64_t tensor_bytes);
  std::vector<int64_t> first_4d_shape;  // the first 4-D tensor in pickle order: usually the first convolution's weight
};

struct MethodSignature {
  std::string owner;                   // "__torch__.MyModel"
  std::string name;                    // "forward"
  std::optional<Signature> signature;  // nullopt when the file does not say (or not legibly)

  // "__torch__.M.forward": owner "__torch__.M", name "forward"; a name without a dot has no owner.
  static MethodSignature named(std::string_view qualified_name);
};

struct ClassInfo {
  std::string name;
  std::vector<std::string> methods;
};

struct ExtraFile {
  std::string name;
  uint64_t size = 0;
  std::optional<std::string> text;  // small text or JSON files only
};

// Which runtimes can load the file, from the release table (runtime_versions.h).
struct Compatibility {
  std::optional<std::string> torch_jit_load;     // oldest LibTorch release, e.g. "1.8"
  std::optional<std::string> load_for_mobile;    // oldest LibTorch-Lite release
  std::optional<std::string> load_for_mobile_last;  // newest that still loads it, when bounded
  bool linked_torch_jit_load = false;   // the LibTorch mtool links
  bool linked_load_for_mobile = false;
};

// Every global the file's pickles name, classified (see scan/global_policy.h).
struct PickleSecurity {
  std::string verdict;  // "safe", "unknown", "dangerous"
  std::vector<std::string> dangerous;
  std::vector<std::string> unknown;
  std::vector<std::string> not_scanned;
  // Safe globals that torch.load(weights_only=True) in PyTorch 1.13 still
  // refuses (NumPy array rebuilds, newer value builders).
  std::vector<std::string> weights_only_refuses;
  size_t globals = 0;
};

struct ModelReport {
  std::string path;
  uint64_t size_bytes = 0;
  ModelFormat format = ModelFormat::Unknown;
  std::string description;  // one line: what the file is, in words
  std::optional<ModelFormat> damaged_format;  // for Corrupt: what it was meant to be
  std::string damage;                         // for Corrupt: what is missing or wrong
  bool truncated = false;                     // for Corrupt: bytes end early (FormatError's Damage)

  std::string archive_name;  // the top folder inside a PyTorch zip
  std::optional<int64_t> file_format_version;
  std::optional<int64_t> bytecode_version;
  std::optional<int> pickle_protocol;

  std::vector<ArchiveRecord> records;
  std::vector<ClassInfo> classes;
  std::optional<MethodSignature> forward;
  std::vector<MethodSignature> methods;  // from bytecode
  std::vector<OperatorUse> operators;
  std::string operators_source;  // "bytecode", "code" or ""
  std::optional<TensorSummary> tensors;
  std::vector<ExtraFile> extra_files;
  std::map<std::string, std::string> producer;
  std::vector<std::string> root_classes;  // classes the main pickle instantiates
  // torch.save files and pickles: what they hold, by key path.
  std::optional<PickleContents> contents;
  std::string symbolic_tree;  // the main pickle in full, when asked for (--tree)
  std::optional<PickleSecurity> security;
  std::optional<CoreMlReport> coreml;  // Core ML models only
  std::optional<OnnxReport> onnx;      // ONNX models only
  std::optional<ExecuTorchReport> executorch;  // .pte, BundledProgram, .ptd
  std::optional<TfLiteReport> tflite;

  std::optional<Compatibility> loadable_by;
  std::vector<Diagnosis> diagnoses;

  bool has_error() const;
  bool has_diagnosis(std::string_view code) const;
  // The first error diagnosis, or nullptr.
  const Diagnosis* first_error() const;
  // Why LibTorch cannot take this file, for commands that refuse it: the first
  // error's cause and fix, else the description.
  std::string refusal() const;
};

}  // namespace mtool
