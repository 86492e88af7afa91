// The "onnx" section of inspect's text and JSON output.
#include <algorithm>
#include <fmt/format.h>

#include "render_formats.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string value_text(const OnnxValue& value) {
  std::string shape = value.has_shape ? fmt::format("[{}]", fmt::join(value.shape, ", ")) : "(no shape)";
  return fmt::format("{}: {} {}", value.name, value.elem_type.empty() ? "?" : value.elem_type, shape);
}

std::string values_text(const std::vector<OnnxValue>& values, bool all) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!all && i == kSectionShown) {
      lines.push_back(fmt::format("... {} more (--all lists them)", values.size() - kSectionShown));
      break;
    }
    lines.push_back(value_text(values[i]));
  }
  return fmt::format("{}", fmt::join(lines, kValueIndent));
}

OrderedJson value_json(const OnnxValue& value) {
  OrderedJson shape = OrderedJson::array();
  for (const std::string& dim : value.shape) {
    bool numeric = !dim.empty() && dim.find_first_not_of("-0123456789") == std::string::npos;
    shape.push_back(numeric ? OrderedJson(std::stoll(dim)) : OrderedJson(dim));
  }
  return {
      {"name", value.name}, {"elem_type", value.elem_type}, {"shape", value.has_shape ? shape : OrderedJson(nullptr)}};
}

}  // namespace

TextRows onnx_text_rows(const OnnxReport& onnx, bool all) {
  TextRows rows;
  std::vector<std::string> opsets;
  for (const auto& [domain, version] : onnx.opsets) opsets.push_back(fmt::format("{} {}", domain.empty() ? "ai.onnx" : domain, version));
  rows.emplace_back("opsets", fmt::format("{}", fmt::join(opsets, " · ")));
  if (!onnx.producer_name.empty()) {
    rows.emplace_back("producer", onnx.producer_version.empty() ? onnx.producer_name
                                                                : onnx.producer_name + " " + onnx.producer_version);
  }
  if (!onnx.inputs.empty()) rows.emplace_back("inputs", values_text(onnx.inputs, all));
  if (!onnx.outputs.empty()) rows.emplace_back("outputs", values_text(onnx.outputs, all));
  std::vector<std::pair<std::string, uint64_t>> sorted(onnx.operators.begin(), onnx.operators.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> names;
  for (size_t i = 0; i < sorted.size() && (all || i < kSectionShown); ++i)
    names.push_back(fmt::format("{} ×{}", sorted[i].first, sorted[i].second));
  if (!all && sorted.size() > kSectionShown) names.push_back("...");
  if (!sorted.empty()) {
    rows.emplace_back("operators", fmt::format("{} types, {} nodes: {}", sorted.size(), onnx.node_count, fmt::join(names, ", ")));
  }
  if (onnx.initializer_totals.count > 0) {
    std::vector<std::string> dtypes;
    for (const auto& [dtype, totals] : onnx.initializers) dtypes.push_back(fmt::format("{} {} ({})", dtype, totals.count, human_bytes(totals.bytes)));
    rows.emplace_back("initializers", fmt::format("{} · {} elements · {} · {}", onnx.initializer_totals.count,
                                                  human_count(onnx.initializer_totals.elements),
                                                  human_bytes(onnx.initializer_totals.bytes), fmt::join(dtypes, ", ")));
  }
  for (const OnnxExternalFile& file : onnx.external_files) {
    rows.emplace_back("external", fmt::format("{} · {} tensors · {}", file.location, file.tensors,
                                              file.outside_folder ? "OUTSIDE THE MODEL'S FOLDER, not opened"
                                              : file.present     ? human_bytes(file.size)
                                                                 : "MISSING"));
  }
  return rows;
}

OrderedJson onnx_json(const OnnxReport& onnx) {
  OrderedJson opsets = OrderedJson::object();
  for (const auto& [domain, version] : onnx.opsets) opsets[domain.empty() ? "ai.onnx" : domain] = version;
  OrderedJson inputs = OrderedJson::array(), outputs = OrderedJson::array();
  for (const OnnxValue& value : onnx.inputs) inputs.push_back(value_json(value));
  for (const OnnxValue& value : onnx.outputs) outputs.push_back(value_json(value));
  OrderedJson operators = OrderedJson::array();
  for (const auto& [name, count] : onnx.operators) {
    size_t colons = name.find("::");
    operators.push_back({{"domain", name.substr(0, colons)}, {"op_type", name.substr(colons + 2)}, {"count", count}});
  }
  OrderedJson by_dtype = OrderedJson::object();
  for (const auto& [dtype, totals] : onnx.initializers) {
    by_dtype[dtype] = {{"count", totals.count}, {"elements", totals.elements}, {"bytes", totals.bytes}};
  }
  OrderedJson external = OrderedJson::array();
  for (const OnnxExternalFile& file : onnx.external_files) {
    external.push_back({{"location", file.location}, {"outside_folder", file.outside_folder},
                        {"present", file.present}, {"size", file.size},
                        {"needed", file.needed}, {"tensors", file.tensors}});
  }
  return {{"ir_version", onnx.ir_version},
          {"producer_name", onnx.producer_name},
          {"producer_version", onnx.producer_version},
          {"domain", onnx.domain},
          {"model_version", onnx.model_version},
          {"opset_imports", opsets},
          {"graph_name", onnx.graph_name},
          {"inputs", inputs},
          {"outputs", outputs},
          {"node_count", onnx.node_count},
          {"operators", operators},
          {"initializers", {{"count", onnx.initializer_totals.count},
                            {"elements", onnx.initializer_totals.elements},
                            {"bytes", onnx.initializer_totals.bytes},
                            {"by_dtype", by_dtype}}},
          {"external_data", external},
          {"metadata", onnx.metadata},
          {"functions", onnx.functions}};
}

}  // namespace mtool::cli
