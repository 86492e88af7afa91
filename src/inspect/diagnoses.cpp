#include "inspect/diagnoses.h"

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "inspect/load_advice.h"
#include "inspect/shared_diagnoses.h"
#include "io/quoting.h"
#include "inspect/format_diagnoses.h"

namespace mtool {

namespace {

void add(ModelReport& report, std::string code, Severity severity, std::string message, std::string fix) {
  report.diagnoses.push_back({std::move(code), severity, std::move(message), std::move(fix)});
}

bool loads_with_jit(const ModelReport& report) {
  if (report.format == ModelFormat::TorchScript) return true;
  // A lite archive that kept its code/ folder also loads with torch::jit::load.
  return report.format == ModelFormat::Lite &&
         std::any_of(report.records.begin(), report.records.end(),
                     [](const ArchiveRecord& record) { return record.name.starts_with("code/"); });
}

bool loads_with_mobile(const ModelReport& report) {
  return report.format == ModelFormat::Lite || report.format == ModelFormat::LiteFlatbuffer;
}

std::string operator_namespace(const std::string& name) {
  size_t colons = name.find("::");
  return colons == std::string::npos ? "" : name.substr(0, colons);
}

// "dir/model.ptl" -> "dir/model.v7.ptl": beside the input, as backport names its output.
std::string lite_output_name(const std::string& path, const RuntimeRelease& runtime) {
  std::string stem = path.ends_with(".ptl") || path.ends_with(".pt") ? path.substr(0, path.rfind('.')) : path;
  return fmt::format("{}.v{}.ptl", stem, std::min(runtime.max_bytecode, 8));
}

// The newest bytecode version a runtime loads, and the mtool command that
// writes it: backport for a zip lite archive; convert for a flatbuffer, which
// torch::jit::load reads and _save_for_mobile writes as a zip (backport
// refuses flatbuffers).
std::string runtime_fix(const ModelReport& report, const RuntimeRelease& runtime) {
  if (runtime.max_bytecode < shared::kOldestBackportTarget) {
    return fmt::format(shared::kNoBackportReaches, runtime.max_bytecode);
  }
  std::string path = shell_quote(report.path);
  if (report.format == ModelFormat::LiteFlatbuffer) {
    return fmt::format("Write it as a zip lite archive that LibTorch-Lite {0} reads: `mtool convert {1} -o {2} "
                       "--runtime {0}`.", runtime.version, path, shell_quote(lite_output_name(report.path, runtime)));
  }
  return fmt::format(shared::kBytecodeTooNew.fix, runtime.max_bytecode, path, python_string(report.path));
}

void diagnose_not_torchscript(ModelReport& report) {
  std::string roots = report.root_classes.empty() ? "" : fmt::format(" (it holds a {})", report.root_classes.front());
  bool legacy = report.format == ModelFormat::TorchSaveLegacy;
  add(report, shared::kTorchSaveNotTorchScript.code, Severity::Error,
      fmt::format("This file was written by torch.save(){}{}, not TorchScript: torch::jit::load fails with {}.",
                  legacy ? " in the pre-1.6 format" : "", roots,
                  legacy ? "'PytorchStreamReader failed reading zip archive: failed finding central directory'"
                         : "'PytorchStreamReader failed locating file constants.pkl: file not found'"),
      torch_save_fix(report));
}

void diagnose_loader_mismatch(ModelReport& report, const std::optional<RuntimeRelease>& runtime) {
  if (report.format == ModelFormat::TorchScript) {
    // With --runtime, the command writes the bytecode that release reads.
    std::string arguments = runtime ? fmt::format("{} -o {} --runtime {}", shell_quote(report.path),
                                                  shell_quote(lite_output_name(report.path, *runtime)), runtime->version)
                                    : fmt::format("{} -o model.ptl", shell_quote(report.path));
    add(report, shared::kTorchScriptNotLite.code, Severity::Info,
        "This is a full TorchScript archive: torch::jit::load reads it, but LibTorch-Lite's _load_for_mobile "
        "(LiteModuleLoader on Android, TorchModule's lite loader on iOS) does not (no bytecode.pkl).",
        fmt::format(shared::kTorchScriptNotLite.fix, arguments));
  }
  if (report.format == ModelFormat::Lite && !loads_with_jit(report)) {
    add(report, shared::kLiteNotTorchScript.code, Severity::Info,
        "This lite-interpreter archive has no code/ folder: _load_for_mobile reads it, but torch::jit::load fails.",
        shared::kLiteNotTorchScript.fix);
  }
}

void diagnose_runtime(ModelReport& report, const RuntimeRelease& runtime) {
  if (loads_with_mobile(report) && report.bytecode_version) {
    int64_t version = *report.bytecode_version;
    if (version > runtime.max_bytecode) {
      add(report, shared::kBytecodeTooNew.code, Severity::Error,
          fmt::format("Bytecode version {} is newer than LibTorch-Lite {} reads: it fails with 'The model version "
                      "must be between {} and {} but the model version is {}'.",
                      version, runtime.version, runtime.min_bytecode, runtime.max_bytecode, version),
          runtime_fix(report, runtime));
    } else if (version < runtime.min_bytecode) {
      add(report, shared::kBytecodeTooOld.code, Severity::Error,
          fmt::format("Bytecode version {} is older than LibTorch-Lite {} reads ({} to {}).", version, runtime.version,
                      runtime.min_bytecode, runtime.max_bytecode),
          shared::kBytecodeTooOld.fix);
    }
    if (report.format == ModelFormat::LiteFlatbuffer && !runtime.flatbuffer) {
      add(report, "flatbuffer-unsupported-by-runtime", Severity::Error,
          fmt::format("LibTorch-Lite {} cannot read flatbuffer lite models (support arrived in 1.12).", runtime.version),
          runtime_fix(report, runtime));
    }
  }
  if (loads_with_jit(report) && report.file_format_version && *report.file_format_version > runtime.max_file_format) {
    add(report, shared::kFileFormatTooNew.code, Severity::Error,
        fmt::format("File format version {} is newer than LibTorch {} reads (up to {}).", *report.file_format_version,
                    runtime.version, runtime.max_file_format),
        shared::kFileFormatTooNew.fix);
  }
}

void diagnose_linked(ModelReport& report) {
  const LinkedLibTorch& linked = linked_libtorch();
  if (loads_with_jit(report) && report.file_format_version && *report.file_format_version > linked.max_file_format) {
    add(report, "file-format-too-new-for-mtool", Severity::Warning,
        fmt::format("File format version {} is newer than the LibTorch {} that mtool links reads (up to {}), so "
                    "mtool's backport, convert, score and bench cannot load it.",
                    *report.file_format_version, linked.version, linked.max_file_format),
        "Build mtool against a newer LibTorch (CMAKE_PREFIX_PATH=/path/to/libtorch).");
  }
  if (loads_with_mobile(report) && report.bytecode_version && *report.bytecode_version > linked.max_bytecode) {
    add(report, "bytecode-too-new-for-mtool", Severity::Warning,
        fmt::format("Bytecode version {} is newer than the LibTorch {} that mtool links reads (up to {}).",
                    *report.bytecode_version, linked.version, linked.max_bytecode),
        "Build mtool against a newer LibTorch (CMAKE_PREFIX_PATH=/path/to/libtorch).");
  }
}

void diagnose_flatbuffer(ModelReport& report) {
  if (report.format != ModelFormat::LiteFlatbuffer) return;
  add(report, shared::kFlatbufferNeedsSupport.code, Severity::Warning,
      "Flatbuffer lite models load only in runtimes 1.12+ built with flatbuffer support (LibTorch-Lite's "
      "_load_for_mobile, and torch::jit::load where it has it, as Debian's 1.13 does); others fail with "
      "'Flatbuffer input file but the build hasn't enabled flatbuffer'.",
      shared::kFlatbufferNeedsSupport.fix);
}

void diagnose_operators(ModelReport& report) {
  // ExecuTorch and TFLite operators are diagnosed by their own readers.
  if (report.format == ModelFormat::ExecuTorch || report.format == ModelFormat::TfLite) return;
  std::set<std::string> custom;
  std::vector<std::string> quantized;
  for (const OperatorUse& use : report.operators) {
    std::string name_space = operator_namespace(use.name);
    if (!is_builtin_operator_namespace(name_space)) custom.insert(use.name);
    if (name_space == "quantized" || name_space == "_quantized") quantized.push_back(use.name);
  }
  if (!custom.empty()) {
    std::set<std::string> libraries;
    for (const std::string& name : custom) libraries.insert(operator_namespace(name));
    add(report, shared::kCustomOperators.code, Severity::Error,
        fmt::format("It calls operators that LibTorch does not contain ({}): loading fails with 'Unknown builtin op: "
                    "{}'.", fmt::join(custom, ", "), *custom.begin()),
        fmt::format(shared::kCustomOperators.fix, fmt::join(libraries, ", ")));
  }
  bool quantized_tensors = report.tensors && report.tensors->quantized > 0;
  if (!quantized.empty() || quantized_tensors) {
    add(report, shared::kQuantizedModel.code, Severity::Info,
        fmt::format("It is quantized ({}): its operators run on the runtime's quantization engine, QNNPACK on ARM "
                    "phones and FBGEMM on x86, and fail or differ when the engine does not match how it was "
                    "quantized.",
                    quantized.empty() ? fmt::format("{} quantized tensors", report.tensors->quantized)
                                      : fmt::format("{} quantized operators", quantized.size())),
        shared::kQuantizedModel.fix);
  }
}

uint64_t tensors_of(const TensorSummary& tensors, const char* dtype) {
  auto found = tensors.by_dtype.find(dtype);
  return found == tensors.by_dtype.end() ? 0 : found->second.tensors;
}

// LibTorch 1.13 has no float16 CPU kernels for convolutions and matrix products
// (aten/src/ATen/native/ConvolutionMM2d.cpp, LinearAlgebra.cpp dispatch on
// floating types and BFloat16 only), so a model exported after .half() loads but
// its forward fails on CPU, with a float16 input or a float32 one.
// Decided from the weights: float16 holds most of the floating-point tensors, as
// after model.half() (a float32 model with a float16 buffer or two runs).
void diagnose_float16(ModelReport& report) {
  if (!loads_with_jit(report) && !loads_with_mobile(report)) return;
  if (!report.tensors) return;
  uint64_t half = tensors_of(*report.tensors, "float16");
  uint64_t full = tensors_of(*report.tensors, "float32") + tensors_of(*report.tensors, "float64");
  if (half == 0 || half < full) return;
  add(report, "float16-fails-on-cpu", Severity::Warning,
      fmt::format(
          "Its weights are float16 ({} of {} floating-point tensors): LibTorch 1.13 has no float16 CPU kernels "
          "for convolutions and matrix products, so forward on a CPU (LibTorch-Lite on a phone, torch::jit::load "
          "on a server) fails with '\"slow_conv2d_cpu\" not implemented for 'Half'' (linear layers: "
          "'\"addmm_impl_cpu_\" not implemented for 'Half''), and a float32 input with 'Input type (float) and "
          "bias type (c10::Half) should be the same'.",
          half, half + full),
      "Export it in float32: call model.float() before torch.jit.script/trace and save again (it doubles the size; "
      "quantize for a smaller model), or run it where float16 has kernels: a GPU (model.cuda()), or Core ML on Apple "
      "devices.");
}

void diagnose_not_a_model(ModelReport& report, const InspectOptions& options) {
  auto not_pytorch = [&](const char* what, const char* fix) {
    add(report, "not-pytorch", Severity::Error, fmt::format("This is {}, which LibTorch cannot load.", what), fix);
  };
  switch (report.format) {
    case ModelFormat::ExecuTorch:
      not_pytorch(report.executorch && report.executorch->kind == "data" ? "an ExecuTorch data file (.ptd)"
                                                                        : "an ExecuTorch program",
                  "Run it with the ExecuTorch runtime (executorch::extension::Module).");
      break;
    case ModelFormat::Onnx:
      not_pytorch("an ONNX model", "Run it with ONNX Runtime, or export the PyTorch model with torch.jit instead.");
      break;
    case ModelFormat::CoreMl:
      // With an Apple OS named (--runtime ios15) the question is Core ML's, not LibTorch's.
      if (!options.apple_os) not_pytorch("a Core ML model", "Run it with Core ML on Apple platforms.");
      break;
    case ModelFormat::TfLite: not_pytorch("a TensorFlow Lite model", "Run it with the TensorFlow Lite interpreter."); break;
    case ModelFormat::Gguf: not_pytorch("a GGUF model", "Run it with llama.cpp / ggml."); break;
    case ModelFormat::Safetensors:
      not_pytorch("a safetensors weights file (tensors only, no model code)",
                  "In Python, load the weights into the model class and export it with torch.jit.script/trace.");
      break;
    case ModelFormat::Zip:
      add(report, shared::kZipNotModel.code, Severity::Error,
          "This zip archive is not a PyTorch model (no data.pkl, code/ or bytecode.pkl under one top folder).",
          shared::kZipNotModel.fix);
      break;
    case ModelFormat::Pickle:
      add(report, "pickle-not-model", Severity::Error,
          "This is a plain Python pickle, not a model archive: LibTorch cannot load it, and unpickling it in Python "
          "can run arbitrary code.",
          "Ask for a TorchScript (.pt) or lite (.ptl) export of the model.");
      break;
    case ModelFormat::Corrupt: {
      bool truncated = report.truncated;
      const shared::SharedDiagnosis& kind = truncated ? shared::kTruncated : shared::kDamaged;
      add(report, kind.code, Severity::Error,
          fmt::format("The file is {}: {}.", truncated ? "truncated" : "damaged", report.damage),
          kind.fix);
      break;
    }
    case ModelFormat::Unknown:
      if (!report.diagnoses.empty()) break;  // already explained (LFS pointer, error page)
      if (report.size_bytes == 0 && report.description.starts_with("empty")) {
        add(report, shared::kEmptyFile.code, Severity::Error, "The file is empty (0 bytes).", shared::kEmptyFile.fix);
      } else {
        add(report, "unrecognised", Severity::Error, fmt::format("Not a model file mtool recognises: {}.", report.description),
            "Check that this is the exported model (torch.jit.save or _save_for_lite_interpreter output).");
      }
      break;
    default: break;
  }
}

}  // namespace

bool is_builtin_operator_namespace(std::string_view name_space) {
  static const std::set<std::string_view> builtin = {
      "aten", "prim", "quantized", "_quantized", "prepacked", "mkldnn", "mkldnn_prepacked", "_caffe2",
      "profiler", "sparse", "_nnapi", "xnnpack", ""};
  return builtin.contains(name_space);
}

void add_compatibility(ModelReport& report) {
  if (!loads_with_jit(report) && !loads_with_mobile(report)) return;
  Compatibility compatibility;
  for (const RuntimeRelease& release : runtime_releases()) {
    if (loads_with_jit(report) && !compatibility.torch_jit_load && report.file_format_version &&
        *report.file_format_version <= release.max_file_format) {
      compatibility.torch_jit_load = release.version;
    }
    if (loads_with_mobile(report) && report.bytecode_version) {
      int64_t version = *report.bytecode_version;
      bool loads = version >= release.min_bytecode && version <= release.max_bytecode &&
                   (report.format != ModelFormat::LiteFlatbuffer || release.flatbuffer);
      if (loads && !compatibility.load_for_mobile) compatibility.load_for_mobile = release.version;
      if (loads) compatibility.load_for_mobile_last = release.version;
    }
  }
  // An open-ended range is reported without an upper bound.
  if (compatibility.load_for_mobile_last == runtime_releases().back().version) compatibility.load_for_mobile_last.reset();
  const LinkedLibTorch& linked = linked_libtorch();
  compatibility.linked_torch_jit_load =
      loads_with_jit(report) && report.file_format_version && *report.file_format_version <= linked.max_file_format;
  std::optional<RuntimeRelease> linked_release = find_runtime_release(linked.version);
  bool linked_reads_flatbuffer = linked_release && linked_release->flatbuffer;
  compatibility.linked_load_for_mobile = loads_with_mobile(report) && report.bytecode_version &&
                                         *report.bytecode_version >= linked.min_bytecode &&
                                         *report.bytecode_version <= linked.max_bytecode &&
                                         (report.format != ModelFormat::LiteFlatbuffer || linked_reads_flatbuffer);
  // LibTorch 1.13's torch::jit::load also reads flatbuffers (Python's
  // torch.jit.load of the same library does); inspect --try-load confirms it.
  if (report.format == ModelFormat::LiteFlatbuffer && linked_reads_flatbuffer && linked.max_file_format >= 10) {
    compatibility.linked_torch_jit_load = true;
  }
  report.loadable_by = compatibility;
}

void add_diagnoses(ModelReport& report, const InspectOptions& options) {
  if (report.format == ModelFormat::TorchSave || report.format == ModelFormat::TorchSaveLegacy) {
    diagnose_not_torchscript(report);
  }
  diagnose_loader_mismatch(report, options.runtime);
  if (options.runtime) diagnose_runtime(report, *options.runtime);
  diagnose_linked(report);
  diagnose_flatbuffer(report);
  diagnose_operators(report);
  diagnose_float16(report);
  add_coreml_diagnoses(report, options);
  add_onnx_diagnoses(report);
  add_executorch_diagnoses(report);
  add_tflite_diagnoses(report);
  diagnose_not_a_model(report, options);
}

}  // namespace mtool
