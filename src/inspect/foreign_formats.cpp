// Model files of other runtimes. mtool names them (so nobody hands an ONNX
// file to torch::jit::load) and reports what identification reveals.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "inspect/probes.h"
#include "io/wire_formats.h"

namespace mtool {

namespace {

constexpr uint64_t kMaxSafetensorsHeader = 100ull << 20;

bool inspect_executorch(Bytes file, ModelReport& report) {
  // ExecuTorch programs are flatbuffers with identifier "ET" + two digits;
  // newer ones add an extended header "eh00" at byte 8.
  if (file.size() < 8 || file.substr(4, 2) != "ET" || !std::isdigit(static_cast<unsigned char>(file[6])) ||
      !std::isdigit(static_cast<unsigned char>(file[7]))) {
    return false;
  }
  report.format = ModelFormat::ExecuTorch;
  report.description = fmt::format("ExecuTorch program (identifier {})", file.substr(4, 4));
  if (file.size() >= 32 && file.substr(8, 4) == "eh00") {
    report.producer["extended_header"] = "eh00";
    report.producer["program_size"] = std::to_string(u64le_at(file, 16));
    report.producer["segment_base_offset"] = std::to_string(u64le_at(file, 24));
  }
  return true;
}

bool inspect_tflite(Bytes file, ModelReport& report) {
  if (file.size() < 8 || file.substr(4, 4) != "TFL3") return false;
  report.format = ModelFormat::TfLite;
  report.description = "TensorFlow Lite model (identifier TFL3)";
  // tensorflow/lite/schema/schema.fbs: Model's first field is the schema version.
  if (auto version = flatbuffer_root_u32(file, 0)) report.producer["schema_version"] = std::to_string(*version);
  return true;
}

bool inspect_gguf(Bytes file, ModelReport& report) {
  if (!starts_with(file, "GGUF")) return false;
  report.format = ModelFormat::Gguf;
  ByteReader reader(file);
  reader.skip(4);
  uint32_t version = reader.u32le();
  report.description = fmt::format("GGUF v{} (llama.cpp / ggml)", version);
  if (version >= 2) {
    report.producer["tensor_count"] = std::to_string(reader.u64le());
    report.producer["metadata_count"] = std::to_string(reader.u64le());
  }
  return true;
}

std::string safetensors_dtype(const std::string& code) {
  static const std::map<std::string, std::string> names = {
      {"F64", "float64"}, {"F32", "float32"}, {"F16", "float16"}, {"BF16", "bfloat16"}, {"I64", "int64"},
      {"I32", "int32"},   {"I16", "int16"},   {"I8", "int8"},     {"U8", "uint8"},      {"BOOL", "bool"},
      {"F8_E4M3", "float8_e4m3fn"}, {"F8_E5M2", "float8_e5m2"}, {"U16", "uint16"}, {"U32", "uint32"}, {"U64", "uint64"}};
  auto found = names.find(code);
  return found != names.end() ? found->second : code;
}

bool inspect_safetensors(Bytes file, ModelReport& report) {
  // An 8-byte little-endian header length, then a JSON header, then tensors.
  if (file.size() < 10 || file[8] != '{') return false;
  uint64_t header_size = u64le_at(file, 0);
  if (header_size > kMaxSafetensorsHeader || header_size > file.size() - 8) return false;
  nlohmann::json header = nlohmann::json::parse(file.substr(8, header_size), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return false;
  report.format = ModelFormat::Safetensors;
  report.description = "safetensors weights (tensors only, no model code)";
  TensorSummary tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_object()) {
        for (const auto& [key, value] : entry.items()) report.producer[key] = value.is_string() ? value.get<std::string>() : value.dump();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape")) continue;
    uint64_t elements = 1;
    for (const auto& dim : entry["shape"]) elements *= dim.is_number_unsigned() ? dim.get<uint64_t>() : 0;
    uint64_t bytes = 0;
    if (entry.contains("data_offsets") && entry["data_offsets"].size() == 2) {
      auto begin = entry["data_offsets"][0].get<uint64_t>();
      auto end = entry["data_offsets"][1].get<uint64_t>();
      bytes = end >= begin ? end - begin : 0;
    }
    DtypeTotals& totals = tensors.by_dtype[safetensors_dtype(entry["dtype"].is_string() ? entry["dtype"].get<std::string>() : "?")];
    ++tensors.count;
    ++totals.tensors;
    tensors.elements += elements;
    totals.elements += elements;
    tensors.bytes += bytes;
    totals.bytes += bytes;
  }
  report.tensors = tensors;
  return true;
}

// ONNX ModelProto (onnx/onnx.proto): ir_version 1, producer_name 2, producer_version 3,
// domain 4, model_version 5, doc_string 6, graph 7, opset_import 8, metadata_props 14,
// training_info 20, functions 25.
bool inspect_onnx(const std::vector<ProtoField>& fields, ModelReport& report) {
  bool has_ir_version = false;
  bool has_graph = false;
  for (const ProtoField& field : fields) {
    switch (field.number) {
      case 1: has_ir_version = field.wire_type == 0; break;
      case 7: has_graph = field.wire_type == 2; break;
      case 2: case 3: case 4: case 6: case 8: case 14: case 20: case 25:
        if (field.wire_type != 2) return false;
        break;
      case 5: if (field.wire_type != 0) return false; break;
      default: return false;
    }
  }
  if (!has_ir_version || !has_graph) return false;
  report.format = ModelFormat::Onnx;
  for (const ProtoField& field : fields) {
    if (field.number == 1) report.producer["ir_version"] = std::to_string(field.varint);
    if (field.number == 2) report.producer["producer_name"] = std::string(field.payload);
    if (field.number == 3) report.producer["producer_version"] = std::string(field.payload);
  }
  report.description = fmt::format("ONNX model (IR version {})", report.producer["ir_version"]);
  return true;
}

// Core ML Model (coremltools/proto/Model.proto): specificationVersion 1,
// description 2, isUpdatable 10, and one model type at field 200 or above.
bool inspect_coreml(const std::vector<ProtoField>& fields, ModelReport& report) {
  bool has_version = false;
  bool has_model = false;
  for (const ProtoField& field : fields) {
    if (field.number == 1 && field.wire_type == 0) has_version = true;
    else if (field.number >= 200 && field.number < 1000 && field.wire_type == 2) has_model = true;
    else if (!(field.number == 2 && field.wire_type == 2) && !(field.number == 10 && field.wire_type == 0)) return false;
  }
  if (!has_version || !has_model) return false;
  report.format = ModelFormat::CoreMl;
  report.producer["specification_version"] = std::to_string(fields.front().varint);
  report.description = "Core ML model (.mlmodel)";
  return true;
}

bool inspect_protobuf_model(Bytes file, ModelReport& report) {
  // Both ONNX and Core ML open with field 1 as a varint.
  if (file.size() < 4 || file[0] != 0x08) return false;
  std::vector<ProtoField> fields;
  try {
    fields = read_proto_fields(file);
  } catch (const FormatError&) {
    return false;
  }
  return inspect_onnx(fields, report) || inspect_coreml(fields, report);
}

bool inspect_numpy(Bytes file, ModelReport& report) {
  if (!starts_with(file, "\x93NUMPY")) return false;
  report.format = ModelFormat::Unknown;
  report.description = "NumPy .npy array";
  return true;
}

}  // namespace

bool try_inspect_foreign_format(Bytes file, ModelReport& report) {
  return inspect_executorch(file, report) || inspect_tflite(file, report) || inspect_gguf(file, report) ||
         inspect_safetensors(file, report) || inspect_numpy(file, report) || inspect_protobuf_model(file, report);
}

bool try_inspect_directory(const std::string& path, ModelReport& report) {
  // A Core ML package is a folder: Manifest.json naming com.apple.CoreML items.
  std::filesystem::path manifest = std::filesystem::path(path) / "Manifest.json";
  std::ifstream in(manifest);
  if (!in) return false;
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || json.dump().find("com.apple.CoreML") == std::string::npos) return false;
  report.format = ModelFormat::CoreMl;
  report.description = "Core ML package (.mlpackage folder)";
  return true;
}

}  // namespace mtool
