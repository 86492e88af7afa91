#include "score/labels.h"

#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/error.h"

namespace mtool {

extern const char* const kImagenetClassesText;  // generated from data/imagenet_classes.txt

std::vector<std::string> split_label_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> read_labels_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, fmt::format("--labels {}: cannot open", path));
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (content.find_first_not_of(" \t\r\n") != std::string::npos && content[content.find_first_not_of(" \t\r\n")] == '[') {
    nlohmann::json parsed = nlohmann::json::parse(content, nullptr, false);
    if (!parsed.is_array()) throw Error(ErrorKind::Usage, fmt::format("--labels {}: not a JSON list", path));
    std::vector<std::string> names;
    for (const auto& name : parsed) {
      if (!name.is_string()) throw Error(ErrorKind::Usage, fmt::format("--labels {}: every entry must be a string", path));
      names.push_back(name.get<std::string>());
    }
    return names;
  }
  std::vector<std::string> names = split_label_lines(content);
  if (names.empty()) throw Error(ErrorKind::Usage, fmt::format("--labels {}: empty", path));
  return names;
}

const std::vector<std::string>& imagenet_labels() {
  static const std::vector<std::string> names = split_label_lines(kImagenetClassesText);
  return names;
}

LabelSource stored_labels(const ModelReport& report, const ResolvedRecipe& recipe, const std::string& labels_file) {
  if (!labels_file.empty()) return {read_labels_file(labels_file), "--labels " + labels_file};
  if (recipe.stored.contains("labels") && recipe.stored["labels"].is_array()) {
    std::vector<std::string> names;
    for (const auto& name : recipe.stored["labels"]) names.push_back(name.is_string() ? name.get<std::string>() : name.dump());
    return {names, recipe.source};
  }
  for (const ExtraFile& extra : report.extra_files) {
    if (extra.name == "labels.txt" && extra.text) return {split_label_lines(*extra.text), "extra/labels.txt"};
  }
  return {};
}

LabelSource labels_for_classes(const LabelSource& given, size_t classes) {
  if (!given.names.empty() && given.names.size() == classes) return given;
  // Names the user passed that do not fit are a mistake to report, not to
  // replace silently with ImageNet's.
  if (!given.names.empty() && given.source.starts_with("--labels")) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} names for a {}-class output; give one name per class",
                                              given.source, given.names.size(), classes));
  }
  if (classes == imagenet_labels().size()) return {imagenet_labels(), "ImageNet"};
  return {};
}

}  // namespace mtool
