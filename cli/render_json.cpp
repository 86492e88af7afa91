#include <nlohmann/json.hpp>

#include "inspect/runtime_versions.h"
#include "io/json_text.h"
#include "render.h"
#include "render_formats.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

template <typename T>
OrderedJson optional_value(const std::optional<T>& value) {
  return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

OrderedJson records_json(const ModelReport& report) {
  OrderedJson records = OrderedJson::array();
  for (const ArchiveRecord& record : report.records) {
    records.push_back({{"name", record.name}, {"size", record.size}, {"compressed_size", record.compressed_size},
                       {"compressed", record.compressed}});
  }
  return records;
}

OrderedJson operators_json(const ModelReport& report) {
  OrderedJson operators = OrderedJson::array();
  for (const OperatorUse& use : report.operators) {
    operators.push_back({{"name", use.name}, {"overload", use.overload}, {"count", use.count},
                         {"num_specified_args", optional_value(use.num_specified_args)}});
  }
  return operators;
}

OrderedJson tensors_json(const ModelReport& report) {
  if (!report.tensors) return nullptr;
  OrderedJson by_dtype = OrderedJson::object();
  for (const auto& [dtype, totals] : report.tensors->by_dtype) {
    by_dtype[dtype] = {{"count", totals.tensors}, {"elements", totals.elements}, {"bytes", totals.bytes}};
  }
  return {{"count", report.tensors->count},       {"elements", report.tensors->elements},
          {"bytes", report.tensors->bytes},       {"quantized", report.tensors->quantized},
          {"by_dtype", by_dtype}};
}

OrderedJson contents_json(const ModelReport& report) {
  if (!report.contents) return nullptr;
  OrderedJson tensors = OrderedJson::array();
  for (const TensorEntry& tensor : report.contents->tensors) {
    tensors.push_back(
        {{"key", tensor.key},
         {"dtype", tensor.dtype},
         {"shape", tensor.shape},
         {"elements", tensor.elements},
         {"storage_bytes", tensor.storage_bytes},
         {"storage", tensor.storage},
         {"shares_storage_with",
          tensor.shares_storage_with.empty() ? OrderedJson(nullptr) : OrderedJson(tensor.shares_storage_with)},
         {"quantized", tensor.quantized}});
  }
  OrderedJson values = OrderedJson::array();
  for (const ValueEntry& value : report.contents->values) values.push_back({{"key", value.key}, {"summary", value.summary}});
  OrderedJson objects = OrderedJson::array();
  for (const ObjectEntry& object : report.contents->objects) objects.push_back({{"key", object.key}, {"class", object.class_name}});
  return {{"tensors", tensors}, {"values", values}, {"objects", objects}};
}

OrderedJson security_json(const ModelReport& report) {
  if (!report.security) return nullptr;
  const PickleSecurity& security = *report.security;
  return {{"verdict", security.verdict}, {"globals", security.globals}, {"dangerous", security.dangerous},
          {"unknown", security.unknown}, {"not_scanned", security.not_scanned}};
}

OrderedJson method_json(const MethodSignature& method) {
  OrderedJson arguments = OrderedJson::array();
  if (method.signature) {
    for (const Argument& argument : method.signature->arguments) {
      arguments.push_back(
          {{"name", argument.name},
           {"type", argument.type},
           {"default", argument.default_value ? OrderedJson(*argument.default_value) : OrderedJson(nullptr)}});
    }
  }
  return {{"owner", method.owner},
          {"name", method.name},
          {"signature", render_signature(method.signature)},
          {"arguments", method.signature ? arguments : OrderedJson(nullptr)},
          {"returns", method.signature ? OrderedJson(method.signature->returns) : OrderedJson(nullptr)}};
}

OrderedJson loadable_json(const ModelReport& report) {
  const LinkedLibTorch& linked = linked_libtorch();
  if (!report.loadable_by) return nullptr;
  const Compatibility& c = *report.loadable_by;
  return {{"torch_jit_load", {{"since", optional_value(c.torch_jit_load)}}},
          {"load_for_mobile", {{"since", optional_value(c.load_for_mobile)}, {"until", optional_value(c.load_for_mobile_last)}}},
          {"linked_libtorch", {{"version", linked.version}, {"torch_jit_load", c.linked_torch_jit_load},
                               {"load_for_mobile", c.linked_load_for_mobile}}}};
}

}  // namespace

OrderedJson report_json(const ModelReport& report) {
  OrderedJson json;
  json["schema"] = "mtool.inspect/1";
  json["path"] = report.path;
  json["size_bytes"] = report.size_bytes;
  json["format"] = format_name(report.format);
  json["description"] = report.description;
  json["damaged_format"] =
      report.damaged_format ? OrderedJson(format_name(*report.damaged_format)) : OrderedJson(nullptr);
  json["damage"] = report.damage.empty() ? OrderedJson(nullptr) : OrderedJson(report.damage);
  json["archive_name"] = report.archive_name.empty() ? OrderedJson(nullptr) : OrderedJson(report.archive_name);
  json["file_format_version"] = optional_value(report.file_format_version);
  json["bytecode_version"] = optional_value(report.bytecode_version);
  json["pickle_protocol"] = optional_value(report.pickle_protocol);
  json["root_classes"] = report.root_classes;
  json["forward"] = report.forward ? method_json(*report.forward) : OrderedJson(nullptr);
  OrderedJson methods = OrderedJson::array();
  for (const MethodSignature& method : report.methods) methods.push_back(method_json(method));
  json["methods"] = methods;
  OrderedJson classes = OrderedJson::array();
  for (const ClassInfo& info : report.classes) classes.push_back({{"name", info.name}, {"methods", info.methods}});
  json["classes"] = classes;
  json["operators_source"] =
      report.operators_source.empty() ? OrderedJson(nullptr) : OrderedJson(report.operators_source);
  json["operators"] = operators_json(report);
  json["tensors"] = tensors_json(report);
  json["contents"] = contents_json(report);
  json["security"] = security_json(report);
  json["executorch"] = report.executorch ? executorch_json(*report.executorch) : OrderedJson(nullptr);
  json["tflite"] = report.tflite ? tflite_json(*report.tflite) : OrderedJson(nullptr);
  OrderedJson extra = OrderedJson::array();
  for (const ExtraFile& file : report.extra_files) {
    extra.push_back({{"name", file.name}, {"size", file.size}, {"text", optional_value(file.text)}});
  }
  json["extra_files"] = extra;
  json["producer"] = report.producer;
  json["records"] = records_json(report);
  json["loadable_by"] = loadable_json(report);
  json["coreml"] = report.coreml ? coreml_json(*report.coreml) : OrderedJson(nullptr);
  json["onnx"] = report.onnx ? onnx_json(*report.onnx) : OrderedJson(nullptr);
  OrderedJson diagnoses = OrderedJson::array();
  for (const Diagnosis& diagnosis : report.diagnoses) {
    diagnoses.push_back({{"code", diagnosis.code}, {"severity", severity_name(diagnosis.severity)},
                         {"message", diagnosis.message}, {"fix", diagnosis.fix}});
  }
  json["diagnoses"] = diagnoses;
  return json;
}

std::string render_json(const ModelReport& report) { return json_text(report_json(report)); }

std::string render_json_error(const std::string& path, const std::string& kind, const std::string& message) {
  OrderedJson json;
  json["schema"] = "mtool.inspect/1";
  json["path"] = path;
  json["error"] = {{"kind", kind}, {"message", message}};
  return json_text(json);
}

}  // namespace mtool::cli
