// The TFLite sections of `mtool inspect` (schema: docs/inspect-json.md).
#include <fmt/format.h>

#include "render_formats.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string quantization_text(const TfLiteTensor& tensor) {
  if (tensor.scales.empty()) return "";
  if (tensor.scales.size() == 1) {
    return fmt::format(" · scale {:.6g} zero point {}", tensor.scales[0],
                       tensor.zero_points.empty() ? 0 : tensor.zero_points[0]);
  }
  return fmt::format(" · {} scales along dimension {}", tensor.scales.size(), tensor.quantized_dimension);
}

std::string tensor_text(const TfLiteTensor& tensor) {
  std::vector<int64_t> shape = tensor.shape_signature.empty() ? tensor.shape : tensor.shape_signature;
  return fmt::format("{} {}{}", tensor.name.empty() ? "(unnamed)" : tensor.name, typed_shape(tensor.dtype, shape),
                     quantization_text(tensor));
}

std::string subgraphs_text(const TfLiteReport& tflite, bool all) {
  std::string out = fmt::format("{}", tflite.subgraphs.size());
  for (size_t i = 0; i < tflite.subgraphs.size(); ++i) {
    if (!all && i == kSectionShown) {
      out += fmt::format("{}... {} more (--all lists them)", kValueIndent, tflite.subgraphs.size() - kSectionShown);
      break;
    }
    const TfLiteSubgraph& subgraph = tflite.subgraphs[i];
    out += fmt::format("{}{}: {} operators, {} tensors", kValueIndent, subgraph.name.empty() ? fmt::format("#{}", i) : subgraph.name,
                       subgraph.operators, subgraph.tensors);
    for (const TfLiteTensor& tensor : subgraph.inputs) out += fmt::format("{}  in  {}", kValueIndent, tensor_text(tensor));
    for (const TfLiteTensor& tensor : subgraph.outputs) out += fmt::format("{}  out {}", kValueIndent, tensor_text(tensor));
  }
  return out;
}

std::string codes_text(const TfLiteReport& tflite) {
  std::vector<std::string> parts;
  for (const TfLiteOperatorCode& code : tflite.operator_codes) {
    parts.push_back(fmt::format("{}{} v{}", code.custom ? "custom " : "", code.name, code.version));
  }
  return fmt::format("{}", fmt::join(parts, std::string(",") + kValueIndent));
}

std::string buffers_text(const TfLiteReport& tflite) {
  std::string out = fmt::format("{} buffers · {} inside the flatbuffer", tflite.buffers, human_bytes(tflite.buffer_bytes));
  if (tflite.external_buffer_bytes > 0) {
    out += fmt::format(" · {} after it{}", human_bytes(tflite.external_buffer_bytes),
                       tflite.external_buffers_in_file ? "" : " (past the end of the file)");
  }
  return out;
}

OrderedJson tensor_json(const TfLiteTensor& tensor) {
  return {
      {"name", tensor.name},
      {"dtype", tensor.dtype},
      {"shape", tensor.shape},
      {"shape_signature", tensor.shape_signature.empty() ? OrderedJson(nullptr) : OrderedJson(tensor.shape_signature)},
      {"quantization", tensor.scales.empty() ? OrderedJson(nullptr)
                                             : OrderedJson{{"scales", tensor.scales},
                                                           {"zero_points", tensor.zero_points},
                                                           {"quantized_dimension", tensor.quantized_dimension}}}};
}

}  // namespace

TextRows tflite_text_fields(const TfLiteReport& tflite, bool all) {
  TextRows fields;
  fields.emplace_back("subgraphs", subgraphs_text(tflite, all));
  if (all && !tflite.operator_codes.empty()) fields.emplace_back("op codes", codes_text(tflite));
  fields.emplace_back("buffers", buffers_text(tflite));
  if (tflite.min_runtime_version) fields.emplace_back("min runtime", "TFLite " + *tflite.min_runtime_version);
  if (!tflite.metadata.empty()) {
    std::vector<std::string> names;
    for (const TfLiteMetadata& entry : tflite.metadata) names.push_back(fmt::format("{} ({})", entry.name, human_bytes(entry.bytes)));
    fields.emplace_back("metadata", fmt::format("{}", fmt::join(names, ", ")));
  }
  if (!tflite.signatures.empty()) fields.emplace_back("signatures", fmt::format("{}", fmt::join(tflite.signatures, ", ")));
  if (!tflite.description.empty()) fields.emplace_back("producer", tflite.description);
  return fields;
}

OrderedJson tflite_json(const TfLiteReport& tflite) {
  OrderedJson subgraphs = OrderedJson::array();
  for (const TfLiteSubgraph& subgraph : tflite.subgraphs) {
    OrderedJson inputs = OrderedJson::array();
    for (const TfLiteTensor& tensor : subgraph.inputs) inputs.push_back(tensor_json(tensor));
    OrderedJson outputs = OrderedJson::array();
    for (const TfLiteTensor& tensor : subgraph.outputs) outputs.push_back(tensor_json(tensor));
    subgraphs.push_back({{"name", subgraph.name}, {"tensors", subgraph.tensors}, {"operators", subgraph.operators},
                         {"inputs", inputs}, {"outputs", outputs}});
  }
  OrderedJson codes = OrderedJson::array();
  for (const TfLiteOperatorCode& code : tflite.operator_codes) {
    codes.push_back({{"name", code.name}, {"custom", code.custom}, {"builtin_code", code.builtin_code},
                     {"version", code.version}, {"uses", code.uses}});
  }
  OrderedJson metadata = OrderedJson::array();
  for (const TfLiteMetadata& entry : tflite.metadata) {
    metadata.push_back({{"name", entry.name},
                        {"bytes", entry.bytes},
                        {"text", entry.text.empty() ? OrderedJson(nullptr) : OrderedJson(entry.text)}});
  }
  return {{"schema_version", tflite.schema_version},
          {"description", tflite.description},
          {"subgraphs", subgraphs},
          {"operator_codes", codes},
          {"buffers", tflite.buffers},
          {"buffer_bytes", tflite.buffer_bytes},
          {"external_buffer_bytes", tflite.external_buffer_bytes},
          {"external_buffers_in_file", tflite.external_buffers_in_file},
          {"min_runtime_version",
           tflite.min_runtime_version ? OrderedJson(*tflite.min_runtime_version) : OrderedJson(nullptr)},
          {"metadata", metadata},
          {"signatures", tflite.signatures}};
}

}  // namespace mtool::cli
