#include "explain/failure_catalog.h"

#include <fmt/format.h>

#include "explain/failure_details.h"
#include "inspect/shared_diagnoses.h"

namespace mtool {

const char* confidence_name(Confidence confidence) {
  return confidence == Confidence::Matches ? "matches" : "possibly";
}

namespace {

using enum Confidence;

FailurePattern pattern(std::vector<std::string> pieces, Confidence confidence = Matches) {
  for (std::string& piece : pieces) piece = squeeze(piece);
  return {std::move(pieces), confidence};
}

// Order matters: a line is claimed by the first entry that matches it, so
// specific messages come before the general ones that also match them.
std::vector<FailureEntry> build_catalog() {
  namespace d = details;
  return {
      {shared::kTorchSaveNotTorchScript.code,
       "torch::jit::load (or torch.jit.load, DJL, LibTorch on a phone) found no constants.pkl in the file",
       "The file was written by torch.save() (a state_dict or a pickled nn.Module), not by TorchScript: only "
       "torch.jit.save / torch.jit.script(...).save() archives have constants.pkl and code/.",
       fmt::format(shared::kTorchSaveNotTorchScript.fix, "torch.load(path, weights_only=True)"),
       "caffe2/serialize/inline_container.cc (PyTorchStreamReader::getRecordID); e.g. deepjavalibrary/djl#1509, "
       "yeyupiaoling/MASR#62",
       {pattern({"PytorchStreamReader failed locating file constants.pkl"}),
        pattern({"file not found:", "/constants.pkl"})}},
      {shared::kTorchScriptNotLite.code,
       "LibTorch-Lite (_load_for_mobile, LiteModuleLoader, TorchModule) found no bytecode.pkl in the file",
       "The file is a full TorchScript archive (saved with .save()), but the app loads it with the lite interpreter, "
       "which reads only files saved with ._save_for_lite_interpreter().",
       fmt::format(shared::kTorchScriptNotLite.fix, "model.pt -o model.ptl") +
           " Or load it with torch::jit::load / Module.load (full LibTorch) instead.",
       "caffe2/serialize/inline_container.cc; torch/csrc/jit/mobile/import.cpp; pytorch/android-demo-app#157, #183, "
       "#282",
       {pattern({"failed locating file bytecode.pkl"}), pattern({"file not found:", "/bytecode.pkl"}),
        pattern({"The model is not generated from the api _save_for_lite_interpreter"})}},
      {shared::kZipNotModel.code,
       "torch.load / torch::jit::load opened the zip but found no data.pkl",
       "The file is a zip archive but not one that torch.save or torch.jit.save wrote (no data.pkl under its top "
       "folder): another kind of zip, an archive that was re-zipped with an extra folder, or a save that was cut "
       "short.",
       shared::kZipNotModel.fix,
       "caffe2/serialize/inline_container.cc; e.g. yxuansu/PandaGPT#11, RizwanMunawar/yolov7-segmentation#72",
       {pattern({"PytorchStreamReader failed locating file data.pkl"}), pattern({"file not found:", "/data.pkl"}),
        pattern({"file in archive is not in a subdirectory"})}},
      {shared::kFileFormatTooNew.code,
       "The app's PyTorch / LibTorch is older than the file's format",
       "The model was saved by a newer PyTorch than the one loading it: its archive format version is above what "
       "this release reads.",
       shared::kFileFormatTooNew.fix,
       "caffe2/serialize/inline_container.cc (PyTorchStreamReader::init: kMaxSupportedFileFormatVersion); "
       "pytorch/pytorch#47243, pytorch/vision#1943, open-mmlab/mmdetection#3636",
       {pattern({"Attempted to read a PyTorch file with version", "maximum supported version for reading is"})},
       d::file_format_version},
      {shared::kTruncated.code,
       "PyTorch could not read the file to its end",
       "The file is shorter than it should be: a download or copy that stopped early (a zip's central directory "
       "sits at its end, so a cut file loses it first), or a file that is not a PyTorch zip at all.",
       shared::kTruncated.fix,
       "caffe2/serialize/inline_container.cc (PyTorchStreamReader::init via miniz); torch/serialization.py; e.g. "
       "CompVis/stable-diffusion#93, gaomingqi/Track-Anything#103",
       // miniz's own words: users often quote only them.
       {pattern({"failed reading zip archive", "failed finding central directory"}),
        pattern({"failed finding central directory"}), pattern({"pickle data was truncated"}),
        pattern({"unexpected EOF, expected", "more bytes", "file might be corrupted"})},
       d::central_directory},
      {shared::kEmptyFile.code,
       "torch.load read an empty file",
       "The file has no bytes: a download or copy that wrote nothing, or a path that points at a placeholder.",
       shared::kEmptyFile.fix,
       "Python's pickle module ('Ran out of input'); torch/serialization.py (_legacy_load)",
       {pattern({"EOFError: Ran out of input"})},
       d::ran_out_of_input},
      {shared::kDamaged.code,
       "PyTorch found the file's structure broken",
       "The file's bytes are damaged (a zip header or the legacy magic number is wrong): a corrupted download, "
       "a file edited or re-zipped by another tool, or not a PyTorch file.",
       shared::kDamaged.fix,
       "caffe2/serialize/inline_container.cc; torch/serialization.py (_legacy_load)",
       {pattern({"failed reading zip archive", "invalid header or archive is corrupted"}),
        pattern({"Invalid magic number; corrupt file?"})}},
      {shared::kGitLfsPointer.code,
       "torch.load read a Git LFS pointer instead of the model",
       "The file is a small Git LFS pointer text ('version https://git-lfs...'): the repository was cloned without "
       "git-lfs, so the model itself was never downloaded. Its first byte 'v' is what the unpickler rejects.",
       shared::kGitLfsPointer.fix,
       "torch/serialization.py (_legacy_load); e.g. hhj1897/face_parsing#3, Rose-STL-Lab/LIMO#3",
       {pattern({"invalid load key, 'v'"})}},
      {shared::kDownloadErrorPage.code,
       "torch.load read a web page instead of the model",
       "The file starts with '<': it is an HTML or XML page (a login, consent or error page) saved under the model's "
       "name.",
       shared::kDownloadErrorPage.fix,
       "torch/serialization.py (_legacy_load)",
       {pattern({"invalid load key, '<'"})}},
      {"weights-only-load-failed",
       "torch.load(weights_only=True) refused something in the pickle",
       "Since PyTorch 2.6 torch.load defaults to weights_only=True, which accepts only tensors and plain containers: "
       "this checkpoint pickles a class or function (often the whole model object, or numpy arrays).",
       "If you trust the file's source, allowlist what it names with torch.serialization.add_safe_globals([...]), or "
       "pass weights_only=False (which runs whatever the pickle names); better, save a state_dict. Check the file "
       "with `mtool scan FILE` first.",
       "torch/serialization.py (_get_wo_message); e.g. Comfy-Org/ComfyUI#7425, ppogg/YOLOv5-Lite#277",
       {pattern({"Weights only load failed"})},
       d::weights_only},
      {"pickle-dangerous",
       "torch.load(weights_only=True) refused a global that runs code",
       "The pickle names a function that executes code or reaches the system (os, subprocess, builtins.eval, ...): "
       "loading it with weights_only=False would run it. This is how malicious model files attack.",
       "Do not load this file with weights_only=False. Get the model from a trusted source, or as safetensors or a "
       "plain state_dict; `mtool scan FILE` lists everything it names.",
       "torch/serialization.py (_get_wo_message); mtool scan's global policy (src/scan/global_policy.cpp)",
       {}},
      {"unpickling-error",
       "Python's unpickler could not read the file",
       "The file is not a pickle or torch.save file: another format, a damaged file, or a text file saved under a "
       "model's name.",
       "Run `mtool inspect FILE` to see what the file is; download or export it again.",
       "Python's _pickle module; torch/serialization.py",
       {pattern({"UnpicklingError", "invalid load key"}), pattern({"persistent id instruction was encountered"}),
        pattern({"UnpicklingError"}, Possibly)},
       d::unpickling_error},
      {shared::kCustomOperators.code,
       "The model calls an operator that the runtime has not registered",
       "The model was exported with a library that adds its own operators (torchvision::nms, roi_align, a custom "
       "C++ extension), and the app's LibTorch does not contain that library, or the library's registration was "
       "dropped by the linker.",
       fmt::format(shared::kCustomOperators.fix, "model's custom"),
       "torch/csrc/jit/frontend/schema_matching.cpp / ir_emitter.cpp ('Unknown builtin op'); torch/csrc/jit/mobile "
       "(parseOperators: 'Following ops cannot be found'); torch/_ops.py (_OpNamespace.__getattr__); e.g. "
       "pnnx/pnnx#64, zhiqwang/yolort#153, pytorch/vision#1489",
       {pattern({"Unknown builtin op:"}), pattern({"Could not find any similar ops to"}),
        pattern({"No such operator", "::"}), pattern({"Following ops cannot be found"}),
        pattern({"'_OpNamespace' '", "' object has no attribute '"})},
       d::unknown_operator},
      {"operator-not-in-runtime",
       "The model calls a built-in operator that this runtime does not have",
       "The operator is part of PyTorch itself, but the app's LibTorch lacks it: the model was exported by a newer "
       "PyTorch than the runtime, or the runtime is a selective (custom) build that left it out.",
       "Use a runtime as new as the PyTorch that exported the model (or export with the runtime's version); for a "
       "selective build, add the operator to the build's list.",
       "torch/csrc/jit/frontend/schema_matching.cpp; torch/csrc/jit/mobile/import.cpp",
       {}},
      {"quantized-backend-missing",
       "A quantized operator got a float tensor (no 'CPU' kernel)",
       "Quantized operators (quantized::conv2d, linear, ...) have kernels only for quantized tensors: the input "
       "reached them unquantized, because the model has no QuantStub / quantize_per_tensor before them; on a "
       "selective mobile build the quantized kernels may also have been left out.",
       "Quantize the input inside the model: a torch.ao.quantization.QuantStub() at the start of forward (and a "
       "DeQuantStub() at the end) before prepare/convert, or torch.quantize_per_tensor(x, scale, zero_point, "
       "torch.quint8) before the first quantized layer; then export again.",
       "aten/src/ATen/core/dispatch (Dispatcher 'Could not run ... with arguments from the ... backend'); "
       "pytorch/pytorch#34583, Tencent/ncnn#3411",
       {pattern({"Could not run 'quantized::", "with arguments from the 'CPU"}),
        pattern({"Could not run 'aten::", "with arguments from the 'QuantizedCPU"})},
       d::quantized_dispatch},
      {"unknown-type-name",
       "The model names a TorchScript type that the runtime does not know",
       "The model holds an object of a class registered by a library (torch.classes.*, e.g. XNNPACK's prepacked "
       "weights, Torch-TensorRT engines, fbgemm) that the loading runtime does not contain.",
       "Load the library that registers the class before loading the model, or export the model without it.",
       "torch/csrc/jit/serialization/import_source.cpp / script_type_parser.cpp ('Unknown type name'); e.g. "
       "pytorch/TensorRT#2088, meta-pytorch/torchrec#3643",
       {pattern({"Unknown type name '"})},
       d::unknown_type},
      {"output-type-mismatch",
       "The app read the model's result as the wrong kind of value",
       "forward() returns one kind of value (a Tensor, a tuple, a list, a dict) and the app's code converts the "
       "IValue to another (toTuple() on a Tensor, toTensor() on a tuple): the IValue accessor asserts.",
       "Read the result as what forward() returns (mtool inspect shows its signature), or change forward() to "
       "return what the app expects.",
       "aten/src/ATen/core/ivalue_inl.h (IValue::toTuple / toTensor / toList ...); pytorch/pytorch#48691, #32039, "
       "yasenh/libtorch-yolov5#21",
       {pattern({"() INTERNAL ASSERT FAILED"}), pattern({"() ASSERT FAILED"}),
        pattern({"Expected IValue type", "actual type"})},
       d::output_type},
      {"output-not-scalar",
       "The app turned a multi-element tensor into one number",
       "Code after the model (item(), toScalar, float(t), or an operator argument that must be a number) received a "
       "whole tensor: the model's output (or the value passed) has many elements where one was expected.",
       "Read the output as an array (C++ output.data_ptr<float>() with output.numel(); Java "
       "getDataAsFloatArray()) and index it by its shape; if one number was expected, the exported model is not "
       "the one the app's code was written for.",
       "c10/core/Scalar / aten/src/ATen/native/Scalar.cpp (_local_scalar_dense: 'a Tensor with N elements cannot be "
       "converted to Scalar'); pytorch/vision#4359, Clybius/ComfyUI-Latent-Modifiers#9",
       {pattern({"a Tensor with", "elements cannot be converted to Scalar"}),
        pattern({"only one element tensors can be converted to Python scalars"})},
       d::tensor_not_scalar},
      {"input-rank-mismatch",
       "The input tensor has the wrong number of dimensions for the first layer",
       "A convolution got an input with a different rank than its weight: usually the batch dimension is missing "
       "(a [3, H, W] image where [1, 3, H, W] is needed), or an extra one was added.",
       "Give the input the rank the layer expects; for a missing batch dimension, unsqueeze(0).",
       "aten/src/ATen/native/Convolution.cpp (check_input_shape_forward); e.g. valerystrizh/pytorch-histogram-loss#13, "
       "abeardear/pytorch-YOLO-v1#32",
       {pattern({"Expected", "-dimensional input for", "-dimensional weight"}),
        pattern({"Expected 3D (unbatched) or 4D (batched) input to conv2d"}),
        pattern({"Expected 2D (unbatched) or 3D (batched) input to conv1d"}),
        pattern({"input.ndimension() ==", "ASSERT FAILED", "nn/modules/conv"})},
       d::input_rank},
      {"input-channel-mismatch",
       "The input tensor has the wrong number of channels for the first layer",
       "The first convolution expects C channels in dimension 1 and the input has another count there: the channels "
       "are last (NHWC) instead of first, or the image has 1 or 4 channels where 3 are needed.",
       "Give the input [N, C, H, W] with the channel count the model was trained on.",
       "aten/src/ATen/native/Convolution.cpp (check_input_shape_forward: 'Given groups=..., weight of size ..., "
       "expected input ... to have ... channels')",
       {pattern({"Given groups=", "weight of size", "expected input", "channels, but got"})},
       d::input_channels},
      {shared::kBytecodeTooNew.code,
       "LibTorch-Lite cannot read the model's bytecode version",
       "The model was exported by a newer PyTorch than the app's LibTorch-Lite: its bytecode version is above the "
       "range the runtime reads.",
       fmt::format(shared::kBytecodeTooNew.fix, "N", "model.ptl", "'model.ptl'") +
           " (N: the newest version the runtime reads.) Or upgrade the app's LibTorch-Lite "
           "(org.pytorch:pytorch_android_lite, the LibTorch-Lite pod).",
       "torch/csrc/jit/mobile/import.cpp (parseMethods); facebookresearch/playtorch#59, "
       "pytorch/android-demo-app#202, #211, #271",
       {pattern({"Lite Interpreter ver", "number does not match"}),
        pattern({"The model version must be between", "but the model version is"})},
       d::bytecode_version},
      {shared::kBytecodeTooOld.code,
       "LibTorch-Lite no longer reads the model's bytecode version",
       "The model was exported by an older PyTorch than the app's LibTorch-Lite supports: its bytecode version is "
       "below the runtime's range.",
       shared::kBytecodeTooOld.fix,
       "torch/csrc/jit/mobile/import.cpp (parseMethods)",
       {}},
      {shared::kFlatbufferNeedsSupport.code,
       "The runtime was built without flatbuffer support",
       "The model is a flatbuffer lite model (saved with _use_flatbuffer=True), and the app's LibTorch-Lite was "
       "built without flatbuffer loading.",
       shared::kFlatbufferNeedsSupport.fix,
       "torch/csrc/jit/mobile/import.cpp (_load_for_mobile_impl)",
       {pattern({"Flatbuffer input file but the build hasn't enabled flatbuffer"})}},
      {"coreml-vision-needs-image-input",
       "Vision cannot use the Core ML model: its input is not an image",
       "VNCoreMLModel needs a model whose input is of type Image; this model's input is a MultiArray (the "
       "converter was not told the input is an image).",
       "Convert again with an image input: coremltools ct.convert(..., inputs=[ct.ImageType(name=..., "
       "shape=(1, 3, H, W), scale=1/255.0, bias=[...])]); or skip Vision and call the MLModel with an MLMultiArray.",
       "Apple Vision (com.apple.vis error 15); kingreza/SeeFood#1, tf-coreml/tf-coreml#150, #281",
       {pattern({"The model does not have a valid input feature of type image"})}},
      {"coreml-flexible-shape-unbounded",
       "A flexible input dimension without an upper bound reached a reshape",
       "The model was converted with a flexible input shape (ct.RangeDim) whose upper bound is unlimited; Core ML "
       "then sizes that dimension 2147483647 (INT32_MAX) and the reshape fails.",
       "Convert again with a bounded range (ct.RangeDim(lower_bound=..., upper_bound=...)) or with ct.EnumeratedShapes "
       "listing the sizes the app uses, or with a fixed shape.",
       "Core ML / Espresso runtime log; apple/coremltools#1075, #1461",
       {pattern({"reshape mismatching size: 2147483647"})},
       d::coreml_unbounded_shape},
      {"coreml-nn-runtime-error",
       "Core ML's neural-network engine failed while running the model",
       "A layer of the neural network failed at prediction time (Espresso's line just before says which): most "
       "often a reshape, broadcast or concat whose shapes do not fit the input given, or a flexible shape.",
       "Run the model on the same input with coremltools (model.predict) to reproduce; check the input shape "
       "against the model's description; convert as an ML Program (convert_to='mlprogram') if the layer is a "
       "known neural-network limitation.",
       "Core ML runtime log ('[coreml] Error computing NN outputs'), Espresso's reshape checks ('Invalid bottom "
       "shape ... for reshape to', 'reshape mismatching size', the compiler's 'Invalid dst shape'); "
       "apple/coremltools#1461, #1330, onnx/onnx-coreml#409, PINTO0309/tflite2tensorflow#27",
       // Espresso's own exception line names many failures (a missing custom
       // layer, a flexible-shape resize, an image binding): alone it is a guess.
       {pattern({"Error computing NN outputs"}), pattern({"reshape mismatching size"}),
        pattern({"Invalid bottom shape", "for reshape to"}), pattern({"Invalid dst shape", "->"}),
        pattern({"[Espresso::handle_ex_plan] exception="}, Possibly)},
       d::coreml_nn_outputs},
      {"coreml-too-new-for-os",
       "The Core ML model needs a newer Xcode / OS than the one reading it",
       "The model's specification version is newer than this Xcode or OS reads (coremltools chose it from the "
       "layers used or from minimum_deployment_target).",
       "Build and run with a newer Xcode and OS, or convert again with an older minimum_deployment_target.",
       "Core ML model validator ('intended for a newer version of Xcode'); apple/coremltools#750, #198, "
       "apple/ml-stable-diffusion#57",
       {pattern({"intended for a newer version of Xcode"})},
       d::coreml_spec_version},
      {"executorch-identifier-mismatch",
       "The ExecuTorch runtime does not accept the file's program identifier",
       "The .pte was written by a different ExecuTorch version than the runtime (the flatbuffer identifier "
       "'ETnn' changes with the format), or the file is not a .pte at all.",
       "Export the .pte with the same ExecuTorch release (git revision) as the runtime the app links, or rebuild "
       "the runtime from the exporter's release.",
       "executorch runtime/executor/program.cpp (Program::load); pytorch/executorch#2533",
       {pattern({"Program identifier", "!= expected 'ET"})},
       d::executorch_identifier},
      {"executorch-backend-not-linked",
       "The program is delegated to a backend the app's runtime does not contain",
       "Part of the program was lowered to a delegate (XNNPACK, Core ML, MPS, QNN, Vulkan) and that backend's "
       "library was not linked into the app, or the linker dropped its static registration.",
       "Link the backend library with --whole-archive (-force_load on Apple) so it registers itself, or export "
       "without that delegate.",
       "executorch runtime/executor/method.cpp (Method::init: 'Backend ... is not registered'); "
       "pytorch/executorch#3696",
       {pattern({"is not registered"})},
       d::executorch_backend},
      {"executorch-missing-operator",
       "The program calls operators that the app's ExecuTorch runtime has no kernels for",
       "The kernel library that implements these operators (portable_ops_lib, optimized_ops_lib, or a custom "
       "one) is not linked, was linked without --whole-archive, or a selective build left them out.",
       "Link the kernel library with --whole-archive (e.g. portable_ops_lib), or add the operators to the "
       "selective build's list.",
       "executorch runtime/executor/method.cpp ('Missing operator: [N] ...'), the kernel registry ('kernel ... not "
       "found'), Error::OperatorMissing (0x14); pytorch/executorch#5009, #1287, #4742, #7459",
       {pattern({"Missing operator: ["}), pattern({"instructions don't have corresponding operator registered"}),
        pattern({"kernel '", "::", "' not found"}), pattern({"OperatorMissing"})},
       d::executorch_operators},
  };
}

}  // namespace

const std::vector<FailureEntry>& failure_catalog() {
  static const std::vector<FailureEntry> catalog = build_catalog();
  return catalog;
}

const FailureEntry* find_failure(std::string_view code) {
  for (const FailureEntry& entry : failure_catalog()) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

}  // namespace mtool
