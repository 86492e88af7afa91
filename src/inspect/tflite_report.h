#pragma once
// What inspect reads from a TensorFlow Lite model (TFL3). Filled by
// tflite_model.cpp, rendered by cli/render_tflite.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtool {

struct TfLiteTensor {
  std::string name;
  std::string dtype;  // "float32", "int8", ...
  std::vector<int64_t> shape;
  std::vector<int64_t> shape_signature;  // -1 for dynamic dimensions, when stored
  // Affine quantization: one scale and zero point per tensor, or per channel.
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
};

struct TfLiteSubgraph {
  std::string name;
  uint64_t tensors = 0;
  uint64_t operators = 0;
  std::vector<TfLiteTensor> inputs;
  std::vector<TfLiteTensor> outputs;
};

// One entry of the model's operator code table, with how often it is used.
struct TfLiteOperatorCode {
  std::string name;  // builtin name ("CONV_2D") or the custom code ("FlexAddV2", "TFLite_Detection_PostProcess")
  bool custom = false;
  int32_t builtin_code = 0;
  int32_t version = 1;
  uint64_t uses = 0;
};

struct TfLiteMetadata {
  std::string name;
  uint64_t bytes = 0;
  std::string text;  // min_runtime_version and other short printable values
};

struct TfLiteReport {
  uint32_t schema_version = 0;
  std::string description;
  std::vector<TfLiteSubgraph> subgraphs;
  std::vector<TfLiteOperatorCode> operator_codes;
  std::vector<TfLiteMetadata> metadata;
  std::vector<std::string> signatures;
  uint64_t buffers = 0;
  uint64_t buffer_bytes = 0;           // constant data inside the flatbuffer
  uint64_t external_buffer_bytes = 0;  // after it (Buffer.offset/size, models over 2 GB)
  bool external_buffers_in_file = true;
  std::optional<std::string> min_runtime_version;
};

}  // namespace mtool
