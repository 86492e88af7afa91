// The "coreml" section of inspect's text and JSON output.
#include <algorithm>
#include <fmt/format.h>

#include "inspect/coreml_spec.h"
#include "render_formats.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;
constexpr const char* kNewline = "\n               ";

// Parts joined with " · ", broken into lines that fit 80 columns after the label.
std::string wrapped(const std::vector<std::string>& parts) {
  constexpr size_t kWidth = 63;
  std::string out, line;
  for (const std::string& part : parts) {
    if (!line.empty() && line.size() + 3 + part.size() > kWidth) {
      out += line + kNewline;
      line.clear();
    }
    line += (line.empty() ? "" : " · ") + part;
  }
  return out + line;
}

std::string features_text(const std::vector<CoreMlFeature>& features) {
  std::vector<std::string> lines;
  for (const CoreMlFeature& feature : features) lines.push_back(fmt::format("{}: {}", feature.name, feature.summary()));
  return fmt::format("{}", fmt::join(lines, kNewline));
}

std::string counts_text(const std::map<std::string, uint64_t>& counts, bool all) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> names;
  for (size_t i = 0; i < sorted.size() && (all || i < kSectionShown); ++i) {
    names.push_back(fmt::format("{} ×{}", sorted[i].first, sorted[i].second));
  }
  if (!all && sorted.size() > kSectionShown) names.push_back("...");
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string weights_text(const std::map<std::string, CoreMlWeightTotals>& weights) {
  uint64_t total = 0;
  std::vector<std::string> parts;
  for (const auto& [precision, totals] : weights) {
    total += totals.bytes;
    parts.push_back(fmt::format("{} {} ({})", precision, totals.tensors, human_bytes(totals.bytes)));
  }
  return fmt::format("{} · {}", human_bytes(total), fmt::join(parts, ", "));
}

std::string preprocessing_text(const CoreMlPreprocessing& p) {
  std::vector<std::string> parts;
  if (p.scale) parts.push_back(fmt::format("scale {:g}", *p.scale));
  if (p.red_bias) parts.push_back(fmt::format("red bias {:g}", *p.red_bias));
  if (p.green_bias) parts.push_back(fmt::format("green bias {:g}", *p.green_bias));
  if (p.blue_bias) parts.push_back(fmt::format("blue bias {:g}", *p.blue_bias));
  if (p.gray_bias) parts.push_back(fmt::format("gray bias {:g}", *p.gray_bias));
  if (p.mean_image) parts.push_back("mean image");
  return fmt::format("{}: {}", p.feature.empty() ? "(input)" : p.feature, parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", ")));
}

void model_rows(const CoreMlModel& model, bool all, TextRows& rows) {
  if (!model.inputs.empty()) rows.emplace_back("inputs", features_text(model.inputs));
  if (!model.outputs.empty()) rows.emplace_back("outputs", features_text(model.outputs));
  if (!model.states.empty()) rows.emplace_back("states", features_text(model.states));
  if (model.class_label_count > 0) {
    rows.emplace_back("labels", fmt::format("{} {} class labels: {}{}", model.class_label_count, model.class_label_type,
                                            fmt::join(model.class_labels_preview, ", "),
                                            model.class_label_count > model.class_labels_preview.size() ? ", ..." : ""));
  }
  for (const CoreMlPreprocessing& p : model.preprocessing) rows.emplace_back("preprocess", preprocessing_text(p));
  std::vector<std::string> metadata;
  if (!model.author.empty()) metadata.push_back("author " + model.author);
  if (!model.license.empty()) metadata.push_back("license " + model.license);
  if (!model.version.empty()) metadata.push_back("version " + model.version);
  if (!model.short_description.empty()) metadata.push_back("description " + model.short_description);
  for (const auto& [key, value] : model.user_defined) metadata.push_back(key + " = " + value);
  if (!metadata.empty()) rows.emplace_back("metadata", fmt::format("{}", fmt::join(metadata, kNewline)));
  if (model.layer_count > 0) {
    rows.emplace_back("layers", fmt::format("{} layers{}: {}", model.layer_count,
                                            model.max_layer_rank > 0 ? fmt::format(" (rank up to {})", model.max_layer_rank) : "",
                                            counts_text(model.layers, all)));
  }
  if (!model.functions.empty()) {
    std::vector<std::string> functions;
    for (const auto& [name, opset] : model.functions) functions.push_back(fmt::format("{} ({})", name, opset));
    rows.emplace_back("functions", fmt::format("{}", fmt::join(functions, ", ")));
  }
  if (model.operation_count > 0) {
    rows.emplace_back("operations", fmt::format("{} operations: {}", model.operation_count, counts_text(model.operations, all)));
  }
  for (size_t i = 0; i < model.sub_models.size(); ++i) {
    const CoreMlModel& sub = model.sub_models[i];
    std::string name = i < model.sub_model_names.size() ? model.sub_model_names[i] : fmt::format("#{}", i + 1);
    rows.emplace_back("sub-model", fmt::format("{}: {} (specification {})", name, coreml_kind_words(sub.kind),
                                               sub.specification_version));
    model_rows(sub, all, rows);
  }
}

OrderedJson range_json(const CoreMlSizeRange& range) {
  return {{"lower", range.lower}, {"upper", range.upper < 0 ? OrderedJson(nullptr) : OrderedJson(range.upper)}};
}

OrderedJson feature_json(const CoreMlFeature& f) {
  OrderedJson json = {
      {"name", f.name},         {"type", f.type},           {"summary", f.summary()},    {"description", f.description},
      {"optional", f.optional}, {"flexible", f.flexible()}, {"unbounded", f.unbounded()}};
  if (f.type == "Image") {
    json["color_space"] = f.color_space;
    json["width"] = f.width;
    json["height"] = f.height;
    OrderedJson sizes = OrderedJson::array();
    for (auto [w, h] : f.enumerated_sizes) sizes.push_back({w, h});
    json["enumerated_sizes"] = sizes;
    json["width_range"] = f.width_range ? range_json(*f.width_range) : OrderedJson(nullptr);
    json["height_range"] = f.height_range ? range_json(*f.height_range) : OrderedJson(nullptr);
  }
  if (f.type == "MultiArray" || f.type == "State") {
    json["data_type"] = f.data_type;
    json["shape"] = f.shape;
    json["enumerated_shapes"] = f.enumerated_shapes;
    OrderedJson ranges = OrderedJson::array();
    for (const CoreMlSizeRange& range : f.shape_ranges) ranges.push_back(range_json(range));
    json["shape_ranges"] = ranges;
  }
  if (f.type == "Dictionary" || f.type == "Sequence") json["key_type"] = f.key_type;
  return json;
}

OrderedJson weights_json(const std::map<std::string, CoreMlWeightTotals>& weights) {
  OrderedJson json = OrderedJson::object();
  for (const auto& [precision, totals] : weights) json[precision] = {{"tensors", totals.tensors}, {"bytes", totals.bytes}};
  return json;
}

OrderedJson model_json(const CoreMlModel& model) {
  OrderedJson features[3] = {OrderedJson::array(), OrderedJson::array(), OrderedJson::array()};
  for (const CoreMlFeature& f : model.inputs) features[0].push_back(feature_json(f));
  for (const CoreMlFeature& f : model.outputs) features[1].push_back(feature_json(f));
  for (const CoreMlFeature& f : model.states) features[2].push_back(feature_json(f));
  OrderedJson preprocessing = OrderedJson::array();
  for (const CoreMlPreprocessing& p : model.preprocessing) {
    auto number = [](const std::optional<float>& value) { return value ? OrderedJson(*value) : OrderedJson(nullptr); };
    preprocessing.push_back({{"feature", p.feature}, {"scale", number(p.scale)}, {"red_bias", number(p.red_bias)},
                             {"green_bias", number(p.green_bias)}, {"blue_bias", number(p.blue_bias)},
                             {"gray_bias", number(p.gray_bias)}, {"mean_image", p.mean_image}});
  }
  OrderedJson sub_models = OrderedJson::array();
  for (const CoreMlModel& sub : model.sub_models) sub_models.push_back(model_json(sub));
  return {{"kind", model.kind},
          {"specification_version", model.specification_version},
          {"inputs", features[0]},
          {"outputs", features[1]},
          {"states", features[2]},
          {"predicted_feature", model.predicted_feature},
          {"updatable", model.updatable},
          {"metadata", {{"short_description", model.short_description}, {"version", model.version},
                        {"author", model.author}, {"license", model.license}, {"user_defined", model.user_defined}}},
          {"class_labels", {{"count", model.class_label_count}, {"type", model.class_label_type},
                            {"first", model.class_labels_preview}}},
          {"preprocessing", preprocessing},
          {"layer_count", model.layer_count},
          {"layers", model.layers},
          {"max_layer_rank", model.max_layer_rank},
          {"functions", model.functions},
          {"operation_count", model.operation_count},
          {"operations", model.operations},
          {"blob_references", model.blobs.size()},
          {"weights", weights_json(model.weights)},
          {"sub_model_names", model.sub_model_names},
          {"sub_models", sub_models}};
}

}  // namespace

TextRows coreml_text_rows(const CoreMlReport& coreml, bool all) {
  TextRows rows;
  if (coreml.root_model_path) rows.emplace_back("root model", *coreml.root_model_path + (coreml.root_missing ? " (MISSING)" : ""));
  if (coreml.root_missing) return rows;
  if (!coreml.minimum_os.empty()) {
    std::vector<std::string> parts;
    for (const auto& [os, version] : coreml.minimum_os) parts.push_back(fmt::format("{} {}", os, version));
    rows.emplace_back("needs", fmt::format("{}{}", wrapped(parts),
                                           coreml.minimum_os_reason.empty() ? "" : kNewline + std::string("because of ") + coreml.minimum_os_reason));
  }
  model_rows(coreml.model, all, rows);
  if (!coreml.weights.empty()) rows.emplace_back("weights", weights_text(coreml.weights));
  if (coreml.weight_file) {
    const CoreMlWeightFile& file = *coreml.weight_file;
    std::string text = file.present ? fmt::format("{} · {} · storage v{} · {} blobs", escaped_name(file.path),
                                                  human_bytes(file.size), file.version, file.blob_count)
                                    : fmt::format("{} · MISSING", escaped_name(file.path));
    for (const std::string& problem : file.problems) text += kNewline + problem;
    rows.emplace_back("weight file", text);
  }
  if (!coreml.files.empty()) {
    uint64_t total = 0;
    for (const CoreMlFile& file : coreml.files) total += file.size;
    std::string text = fmt::format("{} files, {}", coreml.files.size(), human_bytes(total));
    for (const CoreMlFile& file : coreml.files) {
      if (all || coreml.files.size() <= kSectionShown)
        text += fmt::format("{}{:>10}  {}", kNewline, file.size, escaped_name(file.path));
    }
    rows.emplace_back("files", text);
  }
  return rows;
}

OrderedJson coreml_json(const CoreMlReport& coreml) {
  OrderedJson files = OrderedJson::array();
  for (const CoreMlFile& file : coreml.files) files.push_back({{"path", file.path}, {"size", file.size}});
  OrderedJson weight_file = nullptr;
  if (coreml.weight_file) {
    const CoreMlWeightFile& file = *coreml.weight_file;
    weight_file = {{"path", file.path}, {"present", file.present}, {"size", file.size}, {"version", file.version},
                   {"blob_count", file.blob_count}, {"by_type", weights_json(file.by_type)}, {"problems", file.problems}};
  }
  return {{"container", coreml.container},
          {"root_model_path", coreml.root_model_path ? OrderedJson(*coreml.root_model_path) : OrderedJson(nullptr)},
          {"root_missing", coreml.root_missing},
          {"required_specification", coreml.required_specification},
          {"minimum_os", coreml.minimum_os},
          {"minimum_os_reason", coreml.minimum_os_reason},
          {"opset", coreml.opset},
          {"model", coreml.root_missing ? OrderedJson(nullptr) : model_json(coreml.model)},
          {"weights", weights_json(coreml.weights)},
          {"weight_file", weight_file},
          {"files", files}};
}

}  // namespace mtool::cli
