// Core ML models as files and folders: a .mlmodel specification, an
// .mlpackage (Manifest.json naming the root specification, weights/weight.bin,
// Xcode's JSON overlays) and a compiled .mlmodelc (metadata.json, model.mil).
#include <fmt/format.h>

#include "archive/file_folder.h"

#include "inspect/coreml_os.h"
#include "inspect/coreml_spec.h"
#include "inspect/coreml_weights.h"
#include "inspect/probes.h"
#include "io/json_access.h"

namespace mtool {

namespace {

constexpr size_t kMaxListedFiles = 10000;
constexpr uint64_t kMaxJsonBytes = 16ull << 20;
constexpr const char* kModelPathPrefix = "@model_path/";

// The total weights of a model and its sub-models, by precision.
void add_spec_weights(const CoreMlModel& model, std::map<std::string, CoreMlWeightTotals>& totals) {
  for (const auto& [precision, weights] : model.weights) {
    totals[precision].tensors += weights.tensors;
    totals[precision].bytes += weights.bytes;
  }
  for (const CoreMlModel& sub : model.sub_models) add_spec_weights(sub, totals);
}

void collect_blobs(const CoreMlModel& model, std::vector<CoreMlBlobRef>& blobs) {
  blobs.insert(blobs.end(), model.blobs.begin(), model.blobs.end());
  for (const CoreMlModel& sub : model.sub_models) collect_blobs(sub, blobs);
}

std::string newest_opset(const CoreMlModel& model) {
  std::string newest;
  for (const auto& [function, opset] : model.functions) newest = std::max(newest, opset);
  for (const CoreMlModel& sub : model.sub_models) newest = std::max(newest, newest_opset(sub));
  return newest;
}

std::string describe(const CoreMlReport& coreml) {
  const char* container = coreml.container == "mlpackage"  ? "Core ML package"
                          : coreml.container == "mlmodelc" ? "compiled Core ML model"
                                                           : "Core ML model";
  std::string kind = coreml_kind_words(coreml.model.kind);
  if (!coreml.model.sub_models.empty()) kind += fmt::format(" of {} models", coreml.model.sub_models.size());
  return fmt::format("{} ({}, specification {})", container, kind, coreml.model.specification_version);
}

// A folder's size is what its files hold.
uint64_t files_size(const CoreMlReport& coreml) {
  uint64_t size = 0;
  for (const CoreMlFile& file : coreml.files) size += file.size;
  return size;
}

void finish(CoreMlReport coreml, ModelReport& report) {
  if (coreml.container != "mlmodel") report.size_bytes = files_size(coreml);
  add_spec_weights(coreml.model, coreml.weights);
  if (coreml.weight_file) {
    for (const auto& [precision, weights] : coreml.weight_file->by_type) {
      coreml.weights[precision].tensors += weights.tensors;
      coreml.weights[precision].bytes += weights.bytes;
    }
  }
  if (coreml.opset.empty()) coreml.opset = newest_opset(coreml.model);
  if (coreml.minimum_os.empty()) add_minimum_os(coreml);
  report.format = ModelFormat::CoreMl;
  report.description = describe(coreml);
  report.producer["specification_version"] = std::to_string(coreml.model.specification_version);
  report.coreml = std::move(coreml);
}

// Callers check that the file is there first.
std::string read_small_file(const FileFolder& folder, const std::string& relative, const char* what) {
  uint64_t size = folder.file_size(relative).value_or(0);
  if (size > kMaxJsonBytes) throw FormatError(fmt::format("{} is {} bytes, too large", what, size));
  return std::string(folder.read(relative).bytes());
}

void list_files(const FileFolder& folder, CoreMlReport& coreml) {
  for (const FolderFile& file : folder.files(kMaxListedFiles, /*recursive=*/true)) {
    coreml.files.push_back({file.path, file.size});
  }
}

// A weight file that cannot be read (a record of a zipped app too large to
// inflate, or damaged) is a problem of the weights, not of the whole package.
CoreMlWeightFile read_weight_file(const FileFolder& folder, const std::string& path, const std::string& shown,
                                  const std::vector<CoreMlBlobRef>& blobs) {
  try {
    FileContent file = folder.read(path);
    return walk_weight_file(file.bytes(), shown, blobs);
  } catch (const Error& error) {
    CoreMlWeightFile unread;
    unread.path = shown;
    unread.present = true;
    unread.size = folder.file_size(path).value_or(0);
    unread.problems.push_back(fmt::format("{} could not be read: {}", shown, error.what()));
    return unread;
  }
}

// Each weight file the program names, resolved against the specification's folder.
void read_weight_files(const FileFolder& folder, const std::string& model_folder, CoreMlReport& coreml) {
  std::vector<CoreMlBlobRef> blobs;
  collect_blobs(coreml.model, blobs);
  if (blobs.empty()) return;
  std::string name = blobs.front().file;
  std::string relative = name.starts_with(kModelPathPrefix) ? name.substr(std::string_view(kModelPathPrefix).size()) : name;
  std::string path = join_path(model_folder, relative);
  if (relative.find("..") != std::string::npos || !folder.file_size(path)) {
    CoreMlWeightFile missing;
    missing.path = relative;
    coreml.weight_file = missing;
    return;
  }
  coreml.weight_file = read_weight_file(folder, path, relative, blobs);
}

// Xcode's overlays: Metadata.json (MLModelDescriptionKey, MLModelAuthorKey...)
// and FeatureDescriptions.json ({"Inputs": {name: {"MLFeatureShortDescription"}}}).
void apply_overlays(const FileFolder& folder, const std::string& spec_folder, CoreMlModel& model) {
  std::string metadata_path = join_path(spec_folder, "Metadata.json");
  if (folder.file_size(metadata_path)) {
    Json metadata = parse_json(read_small_file(folder, metadata_path, "Metadata.json"), "Metadata.json");
    if (metadata.is_object()) {
      auto overlay = [&](const char* key, std::string& field) {
        std::string value = json_string(metadata, key, "Metadata.json");
        if (!value.empty()) field = value;
      };
      overlay("MLModelDescriptionKey", model.short_description);
      overlay("MLModelAuthorKey", model.author);
      overlay("MLModelLicenseKey", model.license);
      overlay("MLModelVersionStringKey", model.version);
      if (const Json* user = json_find(metadata, "MLModelCreatorDefinedKey", "Metadata.json"); user && user->is_object()) {
        for (const auto& [key, value] : user->items()) model.user_defined[key] = json_scalar_text(value);
      }
    }
  }
  std::string features_path = join_path(spec_folder, "FeatureDescriptions.json");
  if (folder.file_size(features_path)) {
    Json features =
        parse_json(read_small_file(folder, features_path, "FeatureDescriptions.json"), "FeatureDescriptions.json");
    for (auto [key, list] : {std::pair{"Inputs", &model.inputs}, std::pair{"Outputs", &model.outputs}}) {
      const Json* group = features.is_object() ? json_find(features, key, "FeatureDescriptions.json") : nullptr;
      if (group == nullptr || !group->is_object()) continue;
      for (CoreMlFeature& feature : *list) {
        const Json* entry = json_find(*group, feature.name, "FeatureDescriptions.json");
        if (entry && entry->is_object()) {
          feature.description = json_string(*entry, "MLFeatureShortDescription", "FeatureDescriptions.json", feature.description);
        }
      }
    }
  }
}

bool inspect_package(const FileFolder& folder, ModelReport& report) {
  if (!folder.file_size("Manifest.json")) return false;
  Json manifest = parse_json(read_small_file(folder, "Manifest.json", "Manifest.json"), "Manifest.json");
  bool is_manifest = manifest.is_object() && manifest.contains("itemInfoEntries");
  // A folder named .mlpackage is one, whatever its manifest says: a broken
  // manifest is a damaged package, not a folder of loose files.
  std::string name = folder.name();
  bool named_package = name.size() > 10 && name.ends_with(".mlpackage");
  if (!is_manifest && !named_package) return false;
  report.format = ModelFormat::CoreMl;
  if (!is_manifest) {
    throw FormatError(fmt::format("Manifest.json is {}, not a package manifest with itemInfoEntries",
                                  manifest.is_object() ? "an object without itemInfoEntries" : "not a JSON object"));
  }
  CoreMlReport coreml;
  coreml.container = "mlpackage";
  list_files(folder, coreml);
  const Json& items = json_object(manifest, "itemInfoEntries", "Manifest.json");
  std::string root_id = json_string(manifest, "rootModelIdentifier", "Manifest.json");
  const Json* root = root_id.empty() ? nullptr : json_find(items, root_id, "Manifest.json itemInfoEntries");
  std::string root_path = root && root->is_object() ? json_string(*root, "path", "Manifest.json root item") : "";
  coreml.root_model_path = root_path.empty() ? std::nullopt : std::optional<std::string>("Data/" + root_path);
  std::string spec_path = join_path("Data", root_path);
  if (root_path.empty() || root_path.find("..") != std::string::npos || !folder.file_size(spec_path)) {
    coreml.root_missing = true;
    report.size_bytes = files_size(coreml);
    report.coreml = std::move(coreml);
    report.description = "Core ML package whose root model is missing";
    return true;
  }
  FileContent spec = folder.read(spec_path);
  coreml.model = read_coreml_spec(spec.bytes());
  apply_overlays(folder, parent_folder(spec_path), coreml.model);
  read_weight_files(folder, parent_folder(spec_path), coreml);
  finish(std::move(coreml), report);
  return true;
}

std::vector<int64_t> parse_shape_text(const std::string& text) {
  std::vector<int64_t> shape;
  int64_t value = 0;
  bool digits = false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      value = value * 10 + (c - '0');
      digits = true;
      if (value > (int64_t{1} << 40)) throw FormatError("metadata.json: shape value out of range");
    } else if (digits) {
      shape.push_back(value);
      value = 0;
      digits = false;
    }
  }
  if (digits) shape.push_back(value);
  return shape;
}

std::vector<CoreMlFeature> schema_features(const Json& entry, const char* key) {
  std::vector<CoreMlFeature> features;
  const Json* schema = json_find(entry, key, "metadata.json");
  if (schema == nullptr || !schema->is_array()) return features;
  for (const Json& item : *schema) {
    if (!item.is_object()) throw FormatError(fmt::format("metadata.json: an entry of {} is not an object", key));
    CoreMlFeature feature;
    feature.name = json_string(item, "name", "metadata.json");
    feature.type = json_string(item, "type", "metadata.json");
    feature.description = json_string(item, "shortDescription", "metadata.json");
    feature.data_type = json_string(item, "dataType", "metadata.json");
    feature.optional = json_string(item, "isOptional", "metadata.json") == "1";
    feature.shape = parse_shape_text(json_string(item, "shape", "metadata.json"));
    features.push_back(feature);
  }
  return features;
}

// model.mil: "func main<ios16>(...)" names each function and its opset.
void read_mil_text(const FileFolder& folder, CoreMlModel& model) {
  std::string text = read_small_file(folder, "model.mil", "model.mil");
  for (size_t at = text.find("func "); at != std::string::npos; at = text.find("func ", at + 5)) {
    size_t open = text.find('<', at);
    size_t close = open == std::string::npos ? open : text.find('>', open);
    size_t paren = text.find('(', at);
    if (close == std::string::npos || paren < open) continue;
    model.functions[text.substr(at + 5, open - at - 5)] = text.substr(open + 1, close - open - 1);
  }
}

bool inspect_compiled(const FileFolder& folder, ModelReport& report) {
  if (!folder.file_size("coremldata.bin") || !folder.file_size("metadata.json")) return false;
  report.format = ModelFormat::CoreMl;
  CoreMlReport coreml;
  coreml.container = "mlmodelc";
  list_files(folder, coreml);
  Json metadata = parse_json(read_small_file(folder, "metadata.json", "metadata.json"), "metadata.json");
  if (!metadata.is_array() || metadata.empty() || !metadata[0].is_object()) {
    throw FormatError("metadata.json: expected an array holding one object");
  }
  const Json& entry = metadata[0];
  CoreMlModel& model = coreml.model;
  if (const Json* version = json_find(entry, "specificationVersion", "metadata.json"); version && version->is_number_integer()) {
    model.specification_version = version->get<int64_t>();
  }
  if (const Json* type = json_find(entry, "modelType", "metadata.json"); type && type->is_object()) {
    std::string name = json_string(*type, "name", "metadata.json modelType");
    model.kind = name.starts_with("MLModelType_") ? name.substr(12) : name;
  }
  model.inputs = schema_features(entry, "inputSchema");
  model.outputs = schema_features(entry, "outputSchema");
  model.states = schema_features(entry, "stateSchema");
  model.short_description = json_string(entry, "shortDescription", "metadata.json");
  model.author = json_string(entry, "author", "metadata.json");
  model.license = json_string(entry, "license", "metadata.json");
  model.version = json_string(entry, "version", "metadata.json");
  for (const char* key : {"userDefinedMetadata", "mlProgramOperationTypeHistogram", "availability"}) {
    const Json* object = json_find(entry, key, "metadata.json");
    if (object == nullptr || !object->is_object()) continue;
    for (const auto& [name, value] : object->items()) {
      if (std::string_view(key) == "userDefinedMetadata") model.user_defined[name] = json_scalar_text(value);
      if (std::string_view(key) == "availability") coreml.minimum_os[name] = json_scalar_text(value);
      if (std::string_view(key) == "mlProgramOperationTypeHistogram" && value.is_number_unsigned()) {
        model.operations[name] += value.get<uint64_t>();
        model.operation_count += value.get<uint64_t>();
      }
    }
  }
  if (!coreml.minimum_os.empty()) coreml.minimum_os_reason = "the compiler's availability in metadata.json";
  coreml.compiled_metadata["computePrecision"] = json_string(entry, "computePrecision", "metadata.json");
  if (folder.file_size("model.mil")) read_mil_text(folder, model);
  if (folder.file_size("weights/weight.bin")) {
    // model.mil's offsets are not parsed; the file's own records are listed from its header.
    coreml.weight_file = read_weight_file(folder, "weights/weight.bin", "weights/weight.bin", {});
  }
  finish(std::move(coreml), report);
  return true;
}

}  // namespace

bool try_inspect_coreml(Bytes file, ModelReport& report) {
  if (!looks_like_coreml_spec(file)) return false;
  report.format = ModelFormat::CoreMl;
  CoreMlReport coreml;
  coreml.container = "mlmodel";
  coreml.model = read_coreml_spec(file);
  finish(std::move(coreml), report);
  return true;
}

bool try_inspect_model_folder(const FileFolder& folder, ModelReport& report) {
  return inspect_package(folder, report) || inspect_compiled(folder, report);
}

bool try_inspect_directory(const std::string& path, ModelReport& report) {
  return try_inspect_model_folder(DiskFolder(path), report);
}

}  // namespace mtool
