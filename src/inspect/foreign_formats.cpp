// Model files of other runtimes. mtool names them (so nobody hands an ONNX
// file to torch::jit::load) and reports what identification reveals.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "inspect/probes.h"
#include "io/json_access.h"

namespace mtool {

namespace {

constexpr uint64_t kMaxSafetensorsHeader = 100ull << 20;

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
  uint64_t data_size = file.size() - 8 - header_size;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_object()) {
        for (const auto& [key, value] : entry.items()) report.producer[key] = value.is_string() ? value.get<std::string>() : value.dump();
      }
      continue;
    }
    // The header is untrusted: every field through a checked accessor, the
    // element count checked for overflow, offsets within the data.
    std::string what = fmt::format("tensor '{}'", name);
    std::string dtype = json_string(json_member(entry, "dtype", what), what + " dtype");
    uint64_t elements = 1;
    for (const auto& dim : json_array(json_member(entry, "shape", what), what + " shape")) {
      elements = checked_mul(elements, json_u64(dim, what + " shape"), (what + " element count").c_str());
    }
    const nlohmann::json& offsets = json_array(json_member(entry, "data_offsets", what), what + " data_offsets");
    if (offsets.size() != 2) throw FormatError(fmt::format("{} data_offsets has {} values, not 2", what, offsets.size()));
    uint64_t begin = json_u64(offsets[0], what + " data_offsets");
    uint64_t end = json_u64(offsets[1], what + " data_offsets");
    if (end < begin || end > data_size) {
      throw FormatError(fmt::format("{} data_offsets [{}, {}] lie outside the {} bytes of tensor data", what, begin,
                                    end, data_size));
    }
    uint64_t bytes = end - begin;
    tensors.add(safetensors_dtype(dtype), elements, bytes);
  }
  report.tensors = tensors;
  return true;
}

bool inspect_numpy(Bytes file, ModelReport& report) {
  if (!starts_with(file, "\x93NUMPY")) return false;
  report.format = ModelFormat::Unknown;
  report.description = "NumPy .npy array";
  return true;
}

}  // namespace

bool try_inspect_foreign_format(Bytes file, ModelReport& report) {
  return inspect_gguf(file, report) || inspect_safetensors(file, report) || inspect_numpy(file, report);
}

}  // namespace mtool
