#pragma once
// Class names for a classifier's outputs: from --labels FILE, from the
// model archive's extra files (extra/labels.txt, or "labels" in
// extra/mtool.json), or ImageNet's 1000 names (embedded in mtool from
// data/imagenet_classes.txt) when a model has 1000 classes.
#include <string>
#include <vector>

#include "inspect/model_report.h"
#include "score/recipe.h"

namespace mtool {

// One name per line (blank lines kept as empty names, so indices stay
// aligned), or a JSON list of strings. Throws Error(Io/Usage).
std::vector<std::string> read_labels_file(const std::string& path);

// Lines of `text`, a trailing newline not counted as a line.
std::vector<std::string> split_label_lines(const std::string& text);

const std::vector<std::string>& imagenet_labels();

struct LabelSource {
  std::vector<std::string> names;
  std::string source;  // "--labels FILE", "extra/labels.txt", "extra/mtool.json", "ImageNet"; empty if none
};

// Labels named by the user or stored with the model; ImageNet's are chosen
// later, by the output's size (`labels_for_classes`).
LabelSource stored_labels(const ModelReport& report, const ResolvedRecipe& recipe, const std::string& labels_file);

// The names for an output of `classes` entries: `given` when its size
// matches, ImageNet's for 1000, none otherwise. Names from --labels that do
// not match throw Error(Usage).
LabelSource labels_for_classes(const LabelSource& given, size_t classes);

}  // namespace mtool
