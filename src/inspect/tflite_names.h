#pragma once
// Names of TFLite's BuiltinOperator and TensorType enum values
// (tensorflow/lite/schema/schema.fbs).
#include <cstdint>
#include <string>

namespace mtool {

constexpr int32_t kTfLiteCustomCode = 32;  // BuiltinOperator CUSTOM

std::string tflite_builtin_name(int32_t code);  // "CONV_2D", or "BUILTIN_300" when unknown
std::string tflite_type_name(int type);         // "float32", or "type 99"

}  // namespace mtool
