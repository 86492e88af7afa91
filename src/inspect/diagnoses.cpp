#include "inspect/diagnoses.h"

#include <algorithm>
#include <fmt/format.h>
#include <set>

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

// The newest bytecode version a runtime loads, and whether mtool backport can
// reach it (LibTorch's backport steps go down to version 4).
std::string backport_fix(const ModelReport& report, const RuntimeRelease& runtime) {
  if (runtime.max_bytecode >= 4) {
    return fmt::format("Backport it to bytecode {0}: `mtool backport {1} --to {0}`, or in Python "
                       "torch.jit.mobile._backport_for_mobile('{1}', 'model.v{0}.ptl', {0}).",
                       runtime.max_bytecode, report.path);
  }
  return fmt::format("No backport reaches bytecode {}; ship LibTorch-Lite 1.11 or newer in the app.",
                     runtime.max_bytecode);
}

void diagnose_not_torchscript(ModelReport& report) {
  std::string roots = report.root_classes.empty() ? "" : fmt::format(" (it holds a {})", report.root_classes.front());
  bool legacy = report.format == ModelFormat::TorchSaveLegacy;
  add(report, "torch-save-not-torchscript", Severity::Error,
      fmt::format("This file was written by torch.save(){}{}, not TorchScript: torch::jit::load fails with {}.",
                  legacy ? " in the pre-1.6 format" : "", roots,
                  legacy ? "'PytorchStreamReader failed reading zip archive: failed finding central directory'"
                         : "'PytorchStreamReader failed locating file constants.pkl: file not found'"),
      "In Python, load it into the model, then save `torch.jit.script(model)` (or `torch.jit.trace(model, example)`) "
      "with .save('model.pt'), or with ._save_for_lite_interpreter('model.ptl') for LibTorch-Lite.");
}

void diagnose_loader_mismatch(ModelReport& report) {
  if (report.format == ModelFormat::TorchScript) {
    add(report, "torchscript-not-lite", Severity::Info,
        "This is a full TorchScript archive: torch::jit::load reads it, but LibTorch-Lite's _load_for_mobile "
        "(LiteModuleLoader on Android, TorchModule's lite loader on iOS) does not (no bytecode.pkl).",
        fmt::format("For LibTorch-Lite, run `mtool convert {} -o model.ptl` (or ._save_for_lite_interpreter in Python).",
                    report.path));
  }
  if (report.format == ModelFormat::Lite && !loads_with_jit(report)) {
    add(report, "lite-not-torchscript", Severity::Info,
        "This lite-interpreter archive has no code/ folder: _load_for_mobile reads it, but torch::jit::load fails.",
        "Load it with torch::jit::_load_for_mobile (LiteModuleLoader), or export a TorchScript .pt for full LibTorch.");
  }
}

void diagnose_runtime(ModelReport& report, const RuntimeRelease& runtime) {
  if (loads_with_mobile(report) && report.bytecode_version) {
    int64_t version = *report.bytecode_version;
    if (version > runtime.max_bytecode) {
      add(report, "bytecode-too-new-for-runtime", Severity::Error,
          fmt::format("Bytecode version {} is newer than LibTorch-Lite {} reads: it fails with 'The model version "
                      "must be between {} and {} but the model version is {}'.",
                      version, runtime.version, runtime.min_bytecode, runtime.max_bytecode, version),
          backport_fix(report, runtime));
    } else if (version < runtime.min_bytecode) {
      add(report, "bytecode-too-old-for-runtime", Severity::Error,
          fmt::format("Bytecode version {} is older than LibTorch-Lite {} reads ({} to {}).", version, runtime.version,
                      runtime.min_bytecode, runtime.max_bytecode),
          "Export the model again with a PyTorch release whose bytecode this runtime reads.");
    }
    if (report.format == ModelFormat::LiteFlatbuffer && !runtime.flatbuffer) {
      add(report, "flatbuffer-unsupported-by-runtime", Severity::Error,
          fmt::format("LibTorch-Lite {} cannot read flatbuffer lite models (support arrived in 1.12).", runtime.version),
          "Save it as a zip lite archive: ._save_for_lite_interpreter(path) without _use_flatbuffer.");
    }
  }
  if (loads_with_jit(report) && report.file_format_version && *report.file_format_version > runtime.max_file_format) {
    add(report, "file-format-too-new-for-runtime", Severity::Error,
        fmt::format("File format version {} is newer than LibTorch {} reads (up to {}).", *report.file_format_version,
                    runtime.version, runtime.max_file_format),
        "Upgrade the app's LibTorch, or export from an older PyTorch (file formats cannot be backported).");
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
  add(report, "flatbuffer-needs-support", Severity::Warning,
      "Flatbuffer lite models load only in LibTorch-Lite 1.12+ built with flatbuffer support, and not with "
      "torch::jit::load.",
      "If the app's runtime rejects it, save a zip lite archive instead: ._save_for_lite_interpreter(path).");
}

void diagnose_operators(ModelReport& report) {
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
    add(report, "custom-operators", Severity::Error,
        fmt::format("It calls operators that LibTorch does not contain ({}): loading fails with 'Unknown builtin op: "
                    "{}'.", fmt::join(custom, ", "), *custom.begin()),
        fmt::format("Link the library that defines the {} operators into the app and make sure its registrations "
                    "run before loading (e.g. libtorchvision, or pytorch_android_torchvision on Android).",
                    fmt::join(libraries, ", ")));
  }
  bool quantized_tensors = report.tensors && report.tensors->quantized > 0;
  if (!quantized.empty() || quantized_tensors) {
    add(report, "quantized-model", Severity::Info,
        fmt::format("It is quantized ({}): its operators run on the runtime's quantization engine, QNNPACK on ARM "
                    "phones and FBGEMM on x86, and fail or differ when the engine does not match how it was "
                    "quantized.",
                    quantized.empty() ? fmt::format("{} quantized tensors", report.tensors->quantized)
                                      : fmt::format("{} quantized operators", quantized.size())),
        "For phones quantize with the 'qnnpack' backend config and set the engine before running "
        "(torch.backends.quantized.engine = 'qnnpack'; in C++ at::globalContext().setQEngine(at::QEngine::QNNPACK)).");
  }
}

void diagnose_not_a_model(ModelReport& report) {
  auto not_pytorch = [&](const char* what, const char* fix) {
    add(report, "not-pytorch", Severity::Error, fmt::format("This is {}, which LibTorch cannot load.", what), fix);
  };
  switch (report.format) {
    case ModelFormat::ExecuTorch:
      not_pytorch("an ExecuTorch program", "Run it with the ExecuTorch runtime (executorch::extension::Module).");
      break;
    case ModelFormat::Onnx:
      not_pytorch("an ONNX model", "Run it with ONNX Runtime, or export the PyTorch model with torch.jit instead.");
      break;
    case ModelFormat::CoreMl: not_pytorch("a Core ML model", "Run it with Core ML on Apple platforms."); break;
    case ModelFormat::TfLite: not_pytorch("a TensorFlow Lite model", "Run it with the TensorFlow Lite interpreter."); break;
    case ModelFormat::Gguf: not_pytorch("a GGUF model", "Run it with llama.cpp / ggml."); break;
    case ModelFormat::Safetensors:
      not_pytorch("a safetensors weights file (tensors only, no model code)",
                  "In Python, load the weights into the model class and export it with torch.jit.script/trace.");
      break;
    case ModelFormat::Zip:
      add(report, "zip-not-model", Severity::Error,
          "This zip archive is not a PyTorch model (no data.pkl, code/ or bytecode.pkl under one top folder).",
          "Check that the right file was downloaded; a TorchScript model is written by torch.jit.save.");
      break;
    case ModelFormat::Pickle:
      add(report, "pickle-not-model", Severity::Error,
          "This is a plain Python pickle, not a model archive: LibTorch cannot load it, and unpickling it in Python "
          "can run arbitrary code.",
          "Ask for a TorchScript (.pt) or lite (.ptl) export of the model.");
      break;
    case ModelFormat::Corrupt: {
      bool truncated = report.damage.find("truncated") != std::string::npos ||
                       report.damage.find("file ends") != std::string::npos ||
                       report.damage.find("central directory not found") != std::string::npos;
      add(report, truncated ? "truncated" : "damaged", Severity::Error,
          fmt::format("The file is {}: {}.", truncated ? "truncated" : "damaged", report.damage),
          truncated ? "Download or copy the file again and compare its size with the original."
                    : "Get a fresh copy of the file; if it was edited or re-zipped, re-export it from PyTorch.");
      break;
    }
    case ModelFormat::Unknown:
      if (!report.diagnoses.empty()) break;  // already explained (LFS pointer, error page)
      if (report.size_bytes == 0 && report.description.starts_with("empty")) {
        add(report, "empty-file", Severity::Error, "The file is empty (0 bytes).",
            "Download or copy the model again; the transfer wrote nothing.");
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
  compatibility.linked_load_for_mobile = report.format == ModelFormat::Lite && report.bytecode_version &&
                                         *report.bytecode_version >= linked.min_bytecode &&
                                         *report.bytecode_version <= linked.max_bytecode;
  report.loadable_by = compatibility;
}

void add_diagnoses(ModelReport& report, const InspectOptions& options) {
  if (report.format == ModelFormat::TorchSave || report.format == ModelFormat::TorchSaveLegacy) {
    diagnose_not_torchscript(report);
  }
  diagnose_loader_mismatch(report);
  if (options.runtime) diagnose_runtime(report, *options.runtime);
  diagnose_linked(report);
  diagnose_flatbuffer(report);
  diagnose_operators(report);
  diagnose_not_a_model(report);
}

}  // namespace mtool
