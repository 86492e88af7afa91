// Specification versions and OS releases: coremltools Model.proto lists
// "Specification Versions : OS Availability" (1: iOS 11 ... 9: iOS 18); the
// features below are the ones that table and the proto comments name.
#include "inspect/coreml_os.h"

#include <charconv>
#include <fmt/format.h>
#include <span>

namespace mtool {

namespace {

struct SpecRelease {
  int64_t spec;
  const char* ios;
  const char* macos;
  const char* tvos;
  const char* watchos;
};

constexpr SpecRelease kReleases[] = {
    {1, "11", "10.13", "11", "4"},   {2, "11.2", "10.13.2", "11.2", "4.2"}, {3, "12", "10.14", "12", "5"},
    {4, "13", "10.15", "13", "6"},   {5, "14", "11", "14", "7"},            {6, "15", "12", "15", "8"},
    {7, "16", "13", "16", "9"},      {8, "17", "14", "17", "10"},           {9, "18", "15", "18", "11"},
};

const char* os_version(const SpecRelease& release, const std::string& os) {
  if (os == "iOS") return release.ios;
  if (os == "macOS") return release.macos;
  if (os == "tvOS") return release.tvos;
  return release.watchos;
}

// "10.13.2" < "10.14": numeric, part by part.
int compare_versions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    int x = 0, y = 0;
    auto take = [](std::string_view& text, int& value) {
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      (void)error;
      text.remove_prefix(static_cast<size_t>(end - text.data()));
      if (!text.empty() && text.front() == '.') text.remove_prefix(1);
    };
    take(a, x);
    take(b, y);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

struct Requirement {
  int64_t spec = 1;
  std::string reason;
  void need(int64_t version, std::string why) {
    if (version > spec) {
      spec = version;
      reason = std::move(why);
    }
  }
};

int64_t opset_specification(const std::string& opset) {
  // MIL opsets: CoreML5 = iOS 15 (spec 6), CoreML6 = iOS 16, CoreML7 = iOS 17, CoreML8 = iOS 18.
  if (opset.starts_with("CoreML") && opset.size() > 6) {
    int number = 0;
    std::from_chars(opset.data() + 6, opset.data() + opset.size(), number);
    if (number >= 5) return number + 1;
  }
  return 6;
}

void require_features(const CoreMlFeature& feature, Requirement& need) {
  if (feature.flexible()) need.need(3, fmt::format("flexible shape of '{}'", feature.name));
  if (feature.data_type == "Float16") need.need(7, fmt::format("Float16 MultiArray '{}'", feature.name));
  if (feature.data_type == "Int8") need.need(9, fmt::format("Int8 MultiArray '{}'", feature.name));
  if (feature.color_space == "GRAYSCALE_FLOAT16") need.need(7, fmt::format("GRAYSCALE_FLOAT16 image '{}'", feature.name));
  if (feature.type == "State") need.need(9, fmt::format("state '{}'", feature.name));
}

void require_model(const CoreMlModel& model, Requirement& need) {
  for (const auto* features : {&model.inputs, &model.outputs, &model.states}) {
    for (const CoreMlFeature& feature : *features) require_features(feature, need);
  }
  const std::string& kind = model.kind;
  if (kind == "textClassifier" || kind == "wordTagger" || kind == "visionFeaturePrint" ||
      kind == "nonMaximumSuppression" || kind == "customModel") {
    need.need(3, fmt::format("{} model", kind));
  }
  if (kind == "kNearestNeighborsClassifier" || kind == "soundAnalysisPreprocessing" ||
      kind == "itemSimilarityRecommender" || kind == "linkedModel") {
    need.need(4, fmt::format("{} model", kind));
  }
  if (model.updatable) need.need(4, "updatable model");
  if (model.exact_array_mapping) need.need(4, "exact array shape mapping");
  if (model.layers.contains("custom")) need.need(2, "custom layer");
  if (model.weights.contains("fp16") && !model.kind.empty() && model.kind != "mlProgram") need.need(2, "fp16 weights");
  for (const auto& [layer, count] : model.layers) {
    // Layers numbered 600 and up in NeuralNetwork.proto arrived with specification 4.
    static const char* kNewLayers[] = {"copy", "branch", "loop", "reshapeStatic", "batchedMatmul", "gelu",
                                       "concatND", "transpose", "sliceStatic", "expandDims", "squeeze",
                                       "layerNormalization", "softmaxND", "gather", "addBroadcastable",
                                       "multiplyBroadcastable", "reshapeDynamic", "loadConstantND"};
    for (const char* name : kNewLayers) {
      if (layer == name) need.need(4, fmt::format("{} layer (Core ML 3)", layer));
    }
  }
  if (kind == "mlProgram") {
    need.need(6, "ML program");
    for (const auto& [function, opset] : model.functions) {
      need.need(opset_specification(opset), fmt::format("MIL opset {} (function {})", opset, function));
    }
  }
  for (const CoreMlModel& sub : model.sub_models) require_model(sub, need);
}

}  // namespace

std::optional<AppleOsTarget> parse_apple_os(std::string_view text) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"ios", "iOS"}, {"macos", "macOS"}, {"watchos", "watchOS"}, {"tvos", "tvOS"}};
  std::string lower;
  for (char c : text) {
    if (c != ' ') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (auto [prefix, name] : kNames) {
    if (!lower.starts_with(prefix)) continue;
    std::string version = lower.substr(std::string_view(prefix).size());
    if (version.empty() || !std::isdigit(static_cast<unsigned char>(version.front())) ||
        version.find_first_not_of("0123456789.") != std::string::npos) {
      return std::nullopt;
    }
    return AppleOsTarget{name, version};
  }
  return std::nullopt;
}

int64_t max_specification_for(const AppleOsTarget& target) {
  int64_t best = 0;
  for (const SpecRelease& release : kReleases) {
    if (compare_versions(os_version(release, target.os), target.version) <= 0) best = release.spec;
  }
  return best;
}

void add_minimum_os(CoreMlReport& report) {
  Requirement need;
  need.spec = 0;
  require_model(report.model, need);
  if (report.model.specification_version > need.spec) {
    need.spec = report.model.specification_version;
    need.reason = fmt::format("its specification version {}", need.spec);
  } else if (need.spec > report.model.specification_version && report.model.specification_version > 0) {
    need.reason += fmt::format(" (the file says specification {})", report.model.specification_version);
  }
  report.required_specification = need.spec;
  report.minimum_os_reason = need.reason;
  for (const SpecRelease& release : kReleases) {
    if (release.spec != need.spec) continue;
    report.minimum_os = {{"iOS", release.ios}, {"macOS", release.macos}, {"tvOS", release.tvos},
                         {"watchOS", release.watchos}};
  }
}

}  // namespace mtool
