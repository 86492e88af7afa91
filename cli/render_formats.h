#pragma once
// Rendering of the per-format sections of an inspect report (Core ML, ONNX,
// ExecuTorch, TFLite): label/value rows for the text output, objects for
// --json (docs/inspect-json.md, one section per format).
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "inspect/model_report.h"

namespace mtool::cli {

// How many items a section lists without --all, and the line break that
// continues a value under render_text's values (column 15).
constexpr size_t kSectionShown = 8;
constexpr const char* kValueIndent = "\n               ";

// (label, value) pairs; a value may continue on lines indented to the values.
using TextRows = std::vector<std::pair<std::string, std::string>>;

TextRows coreml_text_rows(const CoreMlReport& coreml, bool all);          // render_coreml.cpp
nlohmann::ordered_json coreml_json(const CoreMlReport& coreml);          // render_coreml.cpp
TextRows onnx_text_rows(const OnnxReport& onnx, bool all);                // render_onnx.cpp
nlohmann::ordered_json onnx_json(const OnnxReport& onnx);                // render_onnx.cpp
TextRows executorch_text_fields(const ExecuTorchReport& et, bool all);    // render_executorch.cpp
nlohmann::ordered_json executorch_json(const ExecuTorchReport& et);      // render_executorch.cpp
TextRows tflite_text_fields(const TfLiteReport& tflite, bool all);        // render_tflite.cpp
nlohmann::ordered_json tflite_json(const TfLiteReport& tflite);          // render_tflite.cpp

// "float32[1, 3, 224, 224]"
std::string typed_shape(const std::string& dtype, const std::vector<int64_t>& shape);  // render_executorch.cpp

}  // namespace mtool::cli
