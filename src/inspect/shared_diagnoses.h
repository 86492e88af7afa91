#pragma once
// The diagnoses that `inspect` finds in a file and `explain` finds in an error
// message: one code and one fix each, written once and used by both
// (inspect/diagnoses.cpp, explain/failure_catalog.cpp). Fixes with {} are
// fmt format strings; each says what its arguments are.
namespace mtool::shared {

struct SharedDiagnosis {
  const char* code;
  const char* fix;
};

// {} = the torch.load call (load_advice.h decides it for a file at hand).
inline constexpr SharedDiagnosis kTorchSaveNotTorchScript{
    "torch-save-not-torchscript",
    "In Python, load it into the model with {}, then save `torch.jit.script(model)` (or `torch.jit.trace(model, "
    "example)`) "
    "with .save('model.pt'), or with ._save_for_lite_interpreter('model.ptl') for LibTorch-Lite."};

// {} = convert's arguments: the model's path, shell-quoted, and -o OUTPUT (and --runtime X.Y).
inline constexpr SharedDiagnosis kTorchScriptNotLite{
    "torchscript-not-lite",
    "For LibTorch-Lite, run `mtool convert {}` (or ._save_for_lite_interpreter in Python)."};

inline constexpr SharedDiagnosis kLiteNotTorchScript{
    "lite-not-torchscript",
    "Load it with torch::jit::_load_for_mobile (LiteModuleLoader), or export a TorchScript .pt for full LibTorch."};

// {0} = target bytecode version, {1} = the model's path shell-quoted, {2} = it as a Python string literal.
inline constexpr SharedDiagnosis kBytecodeTooNew{
    "bytecode-too-new-for-runtime",
    "Backport it to bytecode {0}: `mtool backport {1} --to {0}`, or in Python "
    "torch.jit.mobile._backport_for_mobile({2}, 'model.v{0}.ptl', {0})."};
// {} = the newest bytecode the runtime reads, below what any backport reaches.
inline constexpr const char* kNoBackportReaches =
    "No backport reaches bytecode {}; ship LibTorch-Lite 1.11 or newer in the app.";
// LibTorch's backport steps go down to bytecode version 4.
inline constexpr int kOldestBackportTarget = 4;

inline constexpr SharedDiagnosis kBytecodeTooOld{
    "bytecode-too-old-for-runtime",
    "Export the model again with a PyTorch release whose bytecode this runtime reads."};

// {} = the operator namespaces, comma-separated.
inline constexpr SharedDiagnosis kCustomOperators{
    "custom-operators",
    "Link the library that defines the {} operators into the app and make sure its registrations run before "
    "loading (e.g. libtorchvision, or pytorch_android_torchvision on Android)."};

inline constexpr SharedDiagnosis kQuantizedModel{
    "quantized-model",
    "For phones quantize with the 'qnnpack' backend config and set the engine before running "
    "(torch.backends.quantized.engine = 'qnnpack'; in C++ at::globalContext().setQEngine(at::QEngine::QNNPACK))."};

inline constexpr SharedDiagnosis kFileFormatTooNew{
    "file-format-too-new-for-runtime",
    "Upgrade the app's LibTorch, or export from an older PyTorch (file formats cannot be backported)."};

inline constexpr SharedDiagnosis kFlatbufferNeedsSupport{
    "flatbuffer-needs-support",
    "If the app's runtime rejects it, save a zip lite archive instead: ._save_for_lite_interpreter(path)."};

inline constexpr SharedDiagnosis kTruncated{
    "truncated", "Download or copy the file again and compare its size with the original."};

inline constexpr SharedDiagnosis kDamaged{
    "damaged", "Get a fresh copy of the file; if it was edited or re-zipped, re-export it from PyTorch."};

inline constexpr SharedDiagnosis kEmptyFile{
    "empty-file", "Download or copy the model again; the transfer wrote nothing."};

inline constexpr SharedDiagnosis kZipNotModel{
    "zip-not-model",
    "Check that the right file was downloaded; a TorchScript model is written by torch.jit.save."};

inline constexpr SharedDiagnosis kGitLfsPointer{
    "git-lfs-pointer",
    "Install git-lfs and run `git lfs pull` in the repository (or download the file from the LFS server)."};

inline constexpr SharedDiagnosis kDownloadErrorPage{
    "download-error-page",
    "Download the file again from a direct link (not a web page or a login/consent page) and check its size."};

}  // namespace mtool::shared
