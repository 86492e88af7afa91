#pragma once
// What `mtool score` will do with a model, decided without LibTorch: which
// loader reads it, the recipe in effect and where it came from, the class
// names, and whether its forward takes the one image tensor score feeds.
#include <nlohmann/json.hpp>
#include <string>

#include "inspect/model_report.h"
#include "score/labels.h"
#include "score/recipe.h"

namespace mtool {

struct ScorePlan {
  std::string model;
  std::string loader;          // "jit" or "mobile"
  ResolvedRecipe recipe;
  LabelSource labels;          // given or stored; ImageNet's are picked by output size later
  nlohmann::json output_hint = nlohmann::json::object();  // extra/mtool.json "output", e.g. {"kind": "quality"}
  std::string model_name;      // extra/mtool.json "name", else the file name
  nlohmann::json model_version;  // extra/mtool.json "version", else null
  bool quantized = false;        // inspect's quantized-model diagnosis: the quantized engine matters
};

// Throws Error(Format) for a file LibTorch cannot run (inspect's diagnosis)
// and Error(Usage) for a forward that takes other than one tensor.
ScorePlan plan_score(const ModelReport& report, const nlohmann::json& recipe_flags, const std::string& labels_file);

// The request the runtime library's "score" command takes.
nlohmann::json score_request(const ScorePlan& plan, const std::vector<std::string>& images, int top_k, int batch,
                             int threads);

}  // namespace mtool
