// TensorFlow Lite models (identifier TFL3), read with the bounds-checked
// flatbuffer reader. Field ids follow tensorflow/lite/schema/schema.fbs
// (public); the reader is mtool's own.
#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "inspect/probes.h"
#include "inspect/tflite_names.h"
#include "io/flatbuffer_reader.h"

namespace mtool {

namespace {

// Model
enum ModelField : unsigned {
  kVersion = 0, kOperatorCodes = 1, kSubgraphs = 2, kDescription = 3, kBuffers = 4, kMetadata = 6, kSignatures = 7,
};
// SubGraph
enum SubgraphField : unsigned { kTensors = 0, kInputs = 1, kOutputs = 2, kOperators = 3, kName = 4 };
// Tensor
enum TensorField : unsigned { kShape = 0, kType = 1, kBuffer = 2, kTensorName = 3, kQuantization = 4, kShapeSignature = 7 };
// Buffer: data 0, then (schema 3c, models over 2 GB) offset 1 and size 2 from the start of the file.
enum BufferField : unsigned { kData = 0, kOffset = 1, kSize = 2 };
constexpr size_t kMaxMetadataText = 64;

std::vector<int64_t> int_list(const FlatVector& values) {
  std::vector<int64_t> list;
  for (uint64_t i = 0; i < values.size(); ++i) list.push_back(values.i32(i));
  return list;
}

TfLiteTensor read_tensor(const FlatTable& tensor) {
  TfLiteTensor info;
  info.name = std::string(tensor.string(kTensorName).value_or(""));
  info.dtype = tflite_type_name(tensor.i8(kType));
  info.shape = int_list(tensor.vector(kShape, 4));
  info.shape_signature = int_list(tensor.vector(kShapeSignature, 4));
  if (std::optional<FlatTable> quantization = tensor.table(kQuantization)) {
    // QuantizationParameters: min 0, max 1, scale 2, zero_point 3, details 4-5, quantized_dimension 6.
    FlatVector scales = quantization->vector(2, 4);
    FlatVector zero_points = quantization->vector(3, 8);
    for (uint64_t i = 0; i < scales.size(); ++i) info.scales.push_back(scales.f32(i));
    for (uint64_t i = 0; i < zero_points.size(); ++i) info.zero_points.push_back(zero_points.i64(i));
    info.quantized_dimension = quantization->i32(6);
  }
  return info;
}

std::vector<TfLiteTensor> read_endpoints(const FlatVector& tensors, const FlatVector& indices) {
  std::vector<TfLiteTensor> endpoints;
  for (uint64_t i = 0; i < indices.size(); ++i) {
    int32_t index = indices.i32(i);
    if (index < 0 || static_cast<uint64_t>(index) >= tensors.size()) {
      throw FormatError(fmt::format("TFLite subgraph names tensor {} of {}", index, tensors.size()));
    }
    endpoints.push_back(read_tensor(tensors.table(static_cast<uint64_t>(index))));
  }
  return endpoints;
}

// deprecated_builtin_code is a byte; codes past 127 are stored in
// builtin_code with the byte set to 127 (PLACEHOLDER_FOR_GREATER_OP_CODES).
// Older files have only the byte. TFLite takes the larger of the two.
std::vector<TfLiteOperatorCode> read_operator_codes(const FlatTable& model) {
  std::vector<TfLiteOperatorCode> codes;
  FlatVector entries = model.vector(kOperatorCodes, 4);
  for (uint64_t i = 0; i < entries.size(); ++i) {
    FlatTable entry = entries.table(i);
    TfLiteOperatorCode code;
    code.builtin_code = std::max<int32_t>(entry.i8(0), entry.i32(3));
    code.version = entry.i32(2, 1);
    std::optional<std::string_view> custom = entry.string(1);
    code.custom = code.builtin_code == kTfLiteCustomCode;
    code.name = code.custom ? std::string(custom.value_or("(unnamed custom op)")) : tflite_builtin_name(code.builtin_code);
    codes.push_back(code);
  }
  return codes;
}

uint64_t element_count(const std::vector<int64_t>& shape) {
  uint64_t elements = 1;
  for (int64_t dim : shape) elements = checked_mul(elements, static_cast<uint64_t>(std::max<int64_t>(0, dim)), "tensor shape");
  return elements;
}

// Bytes of buffer `index`, inline or stored after the flatbuffer.
uint64_t buffer_bytes(const FlatVector& buffers, uint32_t index) {
  if (index == 0 || index >= buffers.size()) return 0;
  FlatTable buffer = buffers.table(index);
  uint64_t inline_bytes = buffer.vector(kData, 1).size();
  return inline_bytes > 0 ? inline_bytes : (buffer.u64(kOffset) > 1 ? buffer.u64(kSize) : 0);
}

void read_subgraphs(const FlatTable& model, TfLiteReport& tflite, TensorSummary& constants) {
  FlatVector subgraphs = model.vector(kSubgraphs, 4);
  FlatVector buffers = model.vector(kBuffers, 4);
  // Tensors may share a buffer (weights tied across subgraphs or layers); its
  // bytes are stored once, so they count once.
  std::set<uint32_t> counted_buffers;
  for (uint64_t s = 0; s < subgraphs.size(); ++s) {
    FlatTable subgraph = subgraphs.table(s);
    TfLiteSubgraph info;
    info.name = std::string(subgraph.string(kName).value_or(""));
    FlatVector tensors = subgraph.vector(kTensors, 4);
    info.tensors = tensors.size();
    info.inputs = read_endpoints(tensors, subgraph.vector(kInputs, 4));
    info.outputs = read_endpoints(tensors, subgraph.vector(kOutputs, 4));
    FlatVector operators = subgraph.vector(kOperators, 4);
    info.operators = operators.size();
    for (uint64_t i = 0; i < operators.size(); ++i) {
      uint32_t opcode = operators.table(i).u32(0);
      if (opcode >= tflite.operator_codes.size()) {
        throw FormatError(fmt::format("TFLite operator {} names operator code {} of {}", i, opcode,
                                      tflite.operator_codes.size()));
      }
      ++tflite.operator_codes[opcode].uses;
    }
    for (uint64_t i = 0; i < tensors.size(); ++i) {
      FlatTable tensor = tensors.table(i);
      uint32_t buffer = tensor.u32(kBuffer);
      uint64_t bytes = buffer_bytes(buffers, buffer);
      if (bytes == 0 || !counted_buffers.insert(buffer).second) continue;
      std::optional<FlatTable> quantization = tensor.table(kQuantization);
      if (quantization && quantization->vector(2, 4).size() > 0) ++constants.quantized;
      constants.add(tflite_type_name(tensor.i8(kType)), element_count(int_list(tensor.vector(kShape, 4))), bytes);
    }
    tflite.subgraphs.push_back(std::move(info));
  }
}

void read_buffers(const FlatTable& model, Bytes file, TfLiteReport& tflite) {
  FlatVector buffers = model.vector(kBuffers, 4);
  tflite.buffers = buffers.size();
  for (uint64_t i = 0; i < buffers.size(); ++i) {
    FlatTable buffer = buffers.table(i);
    tflite.buffer_bytes += buffer.vector(kData, 1).size();
    uint64_t offset = buffer.u64(kOffset);
    if (offset <= 1) continue;
    uint64_t size = buffer.u64(kSize);
    tflite.external_buffer_bytes += size;
    if (offset > file.size() || size > file.size() - offset) tflite.external_buffers_in_file = false;
  }
}

std::string printable_text(Bytes bytes) {
  while (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);
  if (bytes.size() > kMaxMetadataText) return "";
  for (char c : bytes) {
    if (c < 0x20 || c > 0x7e) return "";
  }
  return std::string(bytes);
}

// Metadata: name 0, buffer 1. "min_runtime_version" holds the oldest TFLite
// release that runs the model, as text padded with NULs.
void read_metadata(const FlatTable& model, TfLiteReport& tflite) {
  FlatVector buffers = model.vector(kBuffers, 4);
  FlatVector metadata = model.vector(kMetadata, 4);
  for (uint64_t i = 0; i < metadata.size(); ++i) {
    FlatTable entry = metadata.table(i);
    TfLiteMetadata info{std::string(entry.string(0).value_or("")), 0, ""};
    uint32_t index = entry.u32(1);
    if (index < buffers.size()) {
      Bytes data = buffers.table(index).vector(kData, 1).bytes();
      info.bytes = data.size();
      info.text = printable_text(data);
    }
    if (info.name == "min_runtime_version" && !info.text.empty()) tflite.min_runtime_version = info.text;
    tflite.metadata.push_back(std::move(info));
  }
  FlatVector signatures = model.vector(kSignatures, 4);
  for (uint64_t i = 0; i < signatures.size(); ++i) {
    tflite.signatures.emplace_back(signatures.table(i).string(2).value_or(""));  // signature_key
  }
}

}  // namespace

bool try_inspect_tflite(Bytes file, ModelReport& report) {
  if (flatbuffer_identifier(file) != "TFL3") return false;
  report.format = ModelFormat::TfLite;
  FlatBuffer buffer(file);
  FlatTable model = FlatTable::root(buffer);
  TfLiteReport tflite;
  tflite.schema_version = model.u32(kVersion);
  tflite.description = std::string(model.string(kDescription).value_or(""));
  tflite.operator_codes = read_operator_codes(model);
  TensorSummary constants;
  read_subgraphs(model, tflite, constants);
  read_buffers(model, file, tflite);
  read_metadata(model, tflite);
  for (const TfLiteOperatorCode& code : tflite.operator_codes) {
    report.operators.push_back({code.name, "", code.uses, std::nullopt});
  }
  report.operators_source = "model";
  report.tensors = constants;
  report.description = fmt::format("TensorFlow Lite model (schema {}), {} subgraph{}", tflite.schema_version,
                                   tflite.subgraphs.size(), tflite.subgraphs.size() == 1 ? "" : "s");
  report.tflite = std::move(tflite);
  return true;
}

}  // namespace mtool
