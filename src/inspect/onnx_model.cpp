// ONNX models (onnx/onnx.proto, ModelProto), read with the bounds-checked
// protobuf reader. Field numbers are from the public onnx.proto. Tensor data
// is never read: initializers are measured by their dims and lengths, so a
// 1 GiB model costs what its graph structure costs.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "inspect/probes.h"
#include "io/protobuf_reader.h"

namespace mtool {

namespace {

// ModelProto
constexpr uint32_t kIrVersion = 1, kProducerName = 2, kProducerVersion = 3, kDomain = 4, kModelVersion = 5,
                   kDocString = 6, kGraph = 7, kOpsetImport = 8, kMetadataProps = 14, kTrainingInfo = 20,
                   kFunctions = 25;
// GraphProto
constexpr uint32_t kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12,
                   kGraphSparseInitializer = 15;
// NodeProto
constexpr uint32_t kNodeOpType = 4, kNodeAttribute = 5, kNodeDomain = 7;
// AttributeProto: g (one graph) and graphs (several) hold subgraphs.
constexpr uint32_t kAttributeGraph = 6, kAttributeGraphs = 11;
// TensorProto
constexpr uint32_t kTensorDims = 1, kTensorDataType = 2, kTensorName = 8, kTensorRawData = 9,
                   kTensorExternalData = 13, kTensorDataLocation = 14, kTensorStringData = 6;

struct DataType {
  const char* name;
  unsigned bits;  // per element; 0 for strings
};

// TensorProto.DataType, by value.
DataType data_type(uint64_t code) {
  static const DataType kTypes[] = {
      {"undefined", 0}, {"float32", 32},  {"uint8", 8},       {"int8", 8},          {"uint16", 16},
      {"int16", 16},    {"int32", 32},    {"int64", 64},      {"string", 0},        {"bool", 8},
      {"float16", 16},  {"float64", 64},  {"uint32", 32},     {"uint64", 64},       {"complex64", 64},
      {"complex128", 128}, {"bfloat16", 16}, {"float8e4m3fn", 8}, {"float8e4m3fnuz", 8}, {"float8e5m2", 8},
      {"float8e5m2fnuz", 8}, {"uint4", 4}, {"int4", 4},        {"float4e2m1", 4}};
  if (code < std::size(kTypes)) return kTypes[code];
  return {"unknown", 0};
}

bool printable(Bytes text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// StringStringEntryProto {key 1, value 2}.
std::pair<std::string, std::string> string_entry(const ProtoReader& parent, const ProtoField& entry_field) {
  ProtoReader entry = parent.nested(entry_field);
  ProtoField part;
  std::string key, value;
  while (entry.next(part)) {
    if (part.is_message(1)) key = part.text();
    if (part.is_message(2)) value = part.text();
  }
  return {key, value};
}

struct OnnxReader {
  OnnxReport& report;
  std::filesystem::path folder;
  std::set<std::string> initializer_names;
  std::map<std::string, OnnxExternalFile> external;

  void read_tensor(const ProtoReader& parent, const ProtoField& tensor_field);
  void read_node(const ProtoReader& parent, const ProtoField& node_field);
  void read_graph(const ProtoReader& parent, const ProtoField& graph_field, bool top_level);
  OnnxValue read_value_info(const ProtoReader& parent, const ProtoField& field);
};

std::string dimension_text(ProtoReader dimension) {
  ProtoField field;
  std::string text = "?";
  while (dimension.next(field)) {
    if (field.is(1, WireType::Varint)) text = std::to_string(static_cast<int64_t>(field.varint));
    if (field.is_message(2)) text = field.text();
  }
  return text;
}

// TypeProto: tensor_type 1 {elem_type 1, shape 2 {dim 1}}, sequence 4, map 5,
// sparse_tensor 8, optional 9.
void read_type(ProtoReader type, OnnxValue& value) {
  ProtoField field;
  while (type.next(field)) {
    if (field.is_message(4)) value.elem_type = "sequence";
    if (field.is_message(5)) value.elem_type = "map";
    if (field.is_message(9)) value.elem_type = "optional";
    if (!field.is_message(1) && !field.is_message(8)) continue;
    ProtoReader tensor = type.nested(field);
    ProtoField part;
    while (tensor.next(part)) {
      if (part.is(1, WireType::Varint)) value.elem_type = data_type(part.varint).name;
      if (!part.is_message(2)) continue;
      value.has_shape = true;
      ProtoReader shape = tensor.nested(part);
      ProtoField dim;
      while (shape.next(dim)) {
        if (dim.is_message(1)) value.shape.push_back(dimension_text(shape.nested(dim)));
      }
    }
    if (field.is_message(8)) value.elem_type = "sparse " + value.elem_type;
  }
}

OnnxValue OnnxReader::read_value_info(const ProtoReader& parent, const ProtoField& info_field) {
  OnnxValue value;
  ProtoReader info = parent.nested(info_field);
  ProtoField field;
  while (info.next(field)) {
    if (field.is_message(1)) value.name = field.text();
    if (field.is_message(2)) read_type(info.nested(field), value);
  }
  return value;
}

void OnnxReader::read_tensor(const ProtoReader& parent, const ProtoField& tensor_field) {
  ProtoReader tensor = parent.nested(tensor_field);
  ProtoField field;
  uint64_t elements = 1;
  uint64_t type_code = 0;
  std::optional<uint64_t> raw_bytes;
  uint64_t string_bytes = 0;
  bool external_location = false;
  std::string name, location;
  uint64_t offset = 0, length = 0;
  while (tensor.next(field)) {
    if (field.number == kTensorDims) {
      for_each_varint(field, [&](uint64_t dim) {
        elements = checked_mul(elements, static_cast<int64_t>(dim) < 0 ? 0 : dim, "ONNX tensor dims");
      });
    } else if (field.is(kTensorDataType, WireType::Varint)) {
      type_code = field.varint;
    } else if (field.is_message(kTensorName)) {
      name = field.text();
    } else if (field.is_message(kTensorRawData)) {
      raw_bytes = field.payload.size();
    } else if (field.is_message(kTensorStringData)) {
      string_bytes += field.payload.size();
    } else if (field.is(kTensorDataLocation, WireType::Varint)) {
      external_location = field.varint == 1;
    } else if (field.is_message(kTensorExternalData)) {
      // Keys: location, offset, length, checksum.
      auto [key, value] = string_entry(tensor, field);
      if (key == "location") location = value;
      if (key == "offset" || key == "length") {
        uint64_t number = 0;
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (error != std::errc() || end != value.data() + value.size()) {
          throw FormatError(fmt::format("ONNX tensor '{}': external data {} '{}' is not a number", name, key, value));
        }
        (key == "offset" ? offset : length) = number;
      }
    }
  }
  DataType type = data_type(type_code);
  uint64_t bytes = type.bits == 0 ? string_bytes
                                  : checked_mul(elements, type.bits, "ONNX tensor size") / 8 +
                                        (elements * type.bits % 8 != 0);
  if (raw_bytes) bytes = *raw_bytes;
  if (external_location) {
    if (location.empty()) throw FormatError(fmt::format("ONNX tensor '{}': external data without a location", name));
    OnnxExternalFile& file = external[location];
    file.location = location;
    ++file.tensors;
    uint64_t stored = length != 0 ? length : bytes;
    file.needed = std::max(file.needed, checked_add(offset, stored, "ONNX external data range"));
    bytes = stored;
  }
  if (!name.empty()) initializer_names.insert(name);
  OnnxTensorTotals& totals = report.initializers[type.name];
  ++totals.count;
  totals.elements += elements;
  totals.bytes += bytes;
  ++report.initializer_totals.count;
  report.initializer_totals.elements += elements;
  report.initializer_totals.bytes += bytes;
}

void OnnxReader::read_node(const ProtoReader& parent, const ProtoField& node_field) {
  ProtoReader node = parent.nested(node_field);
  ProtoField field;
  std::string op_type, domain;
  while (node.next(field)) {
    if (field.is_message(kNodeOpType)) op_type = field.text();
    if (field.is_message(kNodeDomain)) domain = field.text();
    if (!field.is_message(kNodeAttribute)) continue;
    ProtoReader attribute = node.nested(field);
    ProtoField part;
    while (attribute.next(part)) {
      if (part.is_message(kAttributeGraph) || part.is_message(kAttributeGraphs)) read_graph(attribute, part, false);
    }
  }
  ++report.node_count;
  ++report.operators[(domain.empty() ? std::string("ai.onnx") : domain) + "::" + op_type];
}

void OnnxReader::read_graph(const ProtoReader& parent, const ProtoField& graph_field, bool top_level) {
  ProtoReader graph = parent.nested(graph_field);
  ProtoField field;
  std::vector<OnnxValue> inputs;
  while (graph.next(field)) {
    switch (field.number) {
      case kGraphNode: read_node(graph, field); break;
      case kGraphInitializer: read_tensor(graph, field); break;
      case kGraphSparseInitializer: {
        // SparseTensorProto {values 1, indices 2, dims 3}: the values are the weights.
        ProtoReader sparse = graph.nested(field);
        ProtoField part;
        while (sparse.next(part)) {
          if (part.is_message(1)) read_tensor(sparse, part);
        }
        break;
      }
      case kGraphName: if (top_level) report.graph_name = field.text(); break;
      case kGraphInput: if (top_level) inputs.push_back(read_value_info(graph, field)); break;
      case kGraphOutput: if (top_level) report.outputs.push_back(read_value_info(graph, field)); break;
      default: break;
    }
  }
  // Before IR version 4 initializers were listed among the inputs too.
  for (OnnxValue& input : inputs) {
    if (!initializer_names.contains(input.name)) report.inputs.push_back(std::move(input));
  }
}

bool is_onnx_field(const ProtoField& field) {
  switch (field.number) {
    case kIrVersion: case kModelVersion: return field.wire_type == static_cast<uint8_t>(WireType::Varint);
    case kProducerName: case kProducerVersion: case kDomain: case kDocString:
      return field.is_message(field.number) && printable(field.payload);
    case kGraph: case kOpsetImport: case kMetadataProps: case kTrainingInfo: case kFunctions:
      return field.is_message(field.number);
    default: return false;
  }
}

// The top-level fields, as far as they parse: a cut file still shows that it
// is ONNX before the damage.
std::vector<ProtoField> top_level_fields(Bytes file, std::optional<FormatError>& damage) {
  std::vector<ProtoField> fields;
  ProtoReader reader(file);
  ProtoField field;
  try {
    while (reader.next(field)) fields.push_back(field);
  } catch (const FormatError& error) {
    damage = error;
  }
  return fields;
}

void read_model(const std::vector<ProtoField>& fields, OnnxReader& reader) {
  OnnxReport& onnx = reader.report;
  ProtoReader top(Bytes{});
  for (const ProtoField& field : fields) {
    switch (field.number) {
      case kIrVersion: onnx.ir_version = static_cast<int64_t>(field.varint); break;
      case kProducerName: onnx.producer_name = field.text(); break;
      case kProducerVersion: onnx.producer_version = field.text(); break;
      case kDomain: onnx.domain = field.text(); break;
      case kModelVersion: onnx.model_version = static_cast<int64_t>(field.varint); break;
      case kDocString: onnx.doc_string = field.text(); break;
      case kFunctions: ++onnx.functions; break;
      case kOpsetImport: {
        ProtoReader opset = top.nested(field);
        ProtoField part;
        std::string domain;
        int64_t version = 0;
        while (opset.next(part)) {
          if (part.is_message(1)) domain = part.text();
          if (part.is(2, WireType::Varint)) version = static_cast<int64_t>(part.varint);
        }
        onnx.opsets[domain == "ai.onnx" ? "" : domain] = version;
        break;
      }
      case kMetadataProps: {
        auto [key, value] = string_entry(top, field);
        onnx.metadata[key] = value;
        break;
      }
      case kGraph: reader.read_graph(top, field, true); break;
      default: break;
    }
  }
}

// A location names a file in the model's folder or below it. Both separators
// count, as onnx on Windows reads them; a drive letter is absolute there.
bool names_path_outside(const std::string& location) {
  if (location.find('\0') != std::string::npos) return true;
  if (location.front() == '/' || location.front() == '\\') return true;
  if (location.size() >= 2 && location[1] == ':') return true;
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find_first_of("/\\", start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

// A link inside the folder may still lead out of it.
bool resolves_outside(const std::filesystem::path& folder, const std::filesystem::path& path) {
  // Absolute first: weakly_canonical leaves a relative path that does not
  // exist relative, which would never match the folder's absolute form.
  std::error_code error;
  std::filesystem::path base =
      std::filesystem::weakly_canonical(std::filesystem::absolute(folder.empty() ? "." : folder, error), error);
  if (error) return false;
  std::filesystem::path target = std::filesystem::weakly_canonical(std::filesystem::absolute(path, error), error);
  if (error) return false;
  auto [base_end, target_end] = std::mismatch(base.begin(), base.end(), target.begin(), target.end());
  return base_end != base.end();
}

void check_external_files(OnnxReader& reader) {
  for (auto& [location, file] : reader.external) {
    std::error_code error;
    std::filesystem::path path = reader.folder / location;
    file.outside_folder = names_path_outside(location) || resolves_outside(reader.folder, path);
    if (file.outside_folder) {
      reader.report.external_files.push_back(file);
      continue;
    }
    uint64_t size = std::filesystem::file_size(path, error);
    file.present = !error;
    file.size = error ? 0 : size;
    reader.report.external_files.push_back(file);
  }
}

}  // namespace

bool try_inspect_onnx(Bytes file, ModelReport& report) {
  // ModelProto opens with ir_version (field 1, a small varint).
  if (file.size() < 4 || file[0] != 0x08 || static_cast<unsigned char>(file[1]) == 0 ||
      static_cast<unsigned char>(file[1]) > 100) {
    return false;
  }
  std::optional<FormatError> damage;
  std::vector<ProtoField> fields = top_level_fields(file, damage);
  bool all_onnx = std::all_of(fields.begin(), fields.end(), is_onnx_field);
  bool has_graph = std::any_of(fields.begin(), fields.end(), [](const ProtoField& f) { return f.number == kGraph; });
  bool cut_after_header = damage && fields.size() >= 2;
  if (!all_onnx || (!has_graph && !cut_after_header)) return false;
  report.format = ModelFormat::Onnx;
  if (damage) throw *damage;
  OnnxReport onnx;
  OnnxReader reader{onnx, std::filesystem::path(report.path).parent_path(), {}, {}};
  read_model(fields, reader);
  check_external_files(reader);
  report.description = fmt::format("ONNX model (IR version {}{})", onnx.ir_version,
                                   onnx.producer_name.empty() ? "" : ", from " + onnx.producer_name);
  report.producer["ir_version"] = std::to_string(onnx.ir_version);
  if (!onnx.producer_name.empty()) report.producer["producer_name"] = onnx.producer_name;
  if (!onnx.producer_version.empty()) report.producer["producer_version"] = onnx.producer_version;
  report.onnx = std::move(onnx);
  return true;
}

}  // namespace mtool
