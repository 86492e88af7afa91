#include "inspect/model_report.h"

#include <algorithm>

#include "io/byte_reader.h"

namespace mtool {

const char* format_name(ModelFormat format) {
  switch (format) {
    case ModelFormat::TorchScript: return "torchscript";
    case ModelFormat::Lite: return "lite";
    case ModelFormat::LiteFlatbuffer: return "lite-flatbuffer";
    case ModelFormat::TorchSave: return "torch.save";
    case ModelFormat::TorchSaveLegacy: return "torch.save-legacy";
    case ModelFormat::Pickle: return "pickle";
    case ModelFormat::ExecuTorch: return "executorch";
    case ModelFormat::Onnx: return "onnx";
    case ModelFormat::CoreMl: return "coreml";
    case ModelFormat::TfLite: return "tflite";
    case ModelFormat::Safetensors: return "safetensors";
    case ModelFormat::Gguf: return "gguf";
    case ModelFormat::Zip: return "zip";
    case ModelFormat::Unknown: return "unknown";
    case ModelFormat::Corrupt: return "corrupt";
  }
  return "unknown";
}

void TensorSummary::add(const std::string& dtype, uint64_t tensor_elements, uint64_t tensor_bytes) {
  DtypeTotals& totals = by_dtype[dtype];
  ++count;
  ++totals.tensors;
  // Counts come from untrusted headers: a sum that overflows is a damaged file.
  elements = checked_add(elements, tensor_elements, "total element count");
  totals.elements = checked_add(totals.elements, tensor_elements, "total element count");
  bytes = checked_add(bytes, tensor_bytes, "total tensor bytes");
  totals.bytes = checked_add(totals.bytes, tensor_bytes, "total tensor bytes");
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "info";
}

const Diagnosis* ModelReport::first_error() const {
  for (const Diagnosis& diagnosis : diagnoses) {
    if (diagnosis.severity == Severity::Error) return &diagnosis;
  }
  return nullptr;
}

bool ModelReport::has_error() const { return first_error() != nullptr; }

MethodSignature MethodSignature::named(std::string_view qualified_name) {
  MethodSignature method;
  size_t dot = qualified_name.rfind('.');
  method.owner = dot == std::string_view::npos ? "" : std::string(qualified_name.substr(0, dot));
  method.name = std::string(dot == std::string_view::npos ? qualified_name : qualified_name.substr(dot + 1));
  return method;
}

bool ModelReport::has_diagnosis(std::string_view code) const {
  return std::any_of(diagnoses.begin(), diagnoses.end(),
                     [&](const Diagnosis& diagnosis) { return diagnosis.code == code; });
}

std::string ModelReport::refusal() const {
  const Diagnosis* error = first_error();
  return error != nullptr ? error->message + " Fix: " + error->fix : description;
}

}  // namespace mtool
