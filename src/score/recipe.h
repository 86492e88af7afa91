#pragma once
// How a photo becomes a model input (the "recipe"): resize, center crop,
// value range, mean/std normalisation, channel order, layout and dtype. It is
// stored as JSON in a model archive's extra/mtool.json (`mtool recipe set`),
// in a sidecar `<model>.json`, or given as flags; docs/recipe.md documents the
// keys. The default is torchvision's ImageNet recipe: Resize(256),
// CenterCrop(224), ToTensor, Normalize(ImageNet mean, std).
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

struct Recipe {
  int resize_shorter = 256;              // shorter side to this, keeping the aspect ratio; 0: see below
  int resize_width = 0;                  // exact size when resize_shorter is 0 and both are set
  int resize_height = 0;                 // (neither set: no resize)
  int crop_width = 224;                  // center crop; 0: none
  int crop_height = 224;
  double range_max = 1.0;                // 8-bit values scaled to 0..1 (1.0) or kept 0..255 (255.0)
  std::array<double, 3> mean{0.485, 0.456, 0.406};  // in the units of range_max
  std::array<double, 3> std{0.229, 0.224, 0.225};
  bool bgr = false;                      // channel order BGR instead of RGB
  bool grey = false;                     // one channel "L", PIL's convert("L") luminance; mean[0] and std[0] apply
  bool nhwc = false;                     // layout [N,H,W,C] instead of [N,C,H,W]
  std::string dtype = "float32";         // float32 or uint8 (uint8: no range/mean/std)
  bool exact_resize = false;             // decode in full and resize like PIL, not shrink-on-load
  bool auto_rotate = true;               // turn the photo upright by its EXIF orientation (PIL does not)
  int native_crops = 0;                  // crops at 100% of the photo stacked after the view above
  int native_crop_size = 0;              // (score/native_crops.h); the view above is then this size too
};

nlohmann::json recipe_to_json(const Recipe& recipe);

// The recipe's fields over a stored recipe's other keys (labels, output,
// name, ...): what `mtool recipe set` stores and what --show-recipe shows.
nlohmann::json recipe_with_stored_keys(const Recipe& recipe, const nlohmann::json& stored);

// Overrides the fields `json` names. Throws Error(Usage) naming `where` and
// the bad key; unknown keys are ignored (other tools may store their own).
void apply_recipe_json(Recipe& recipe, const nlohmann::json& json, const std::string& where);

// The input shape the recipe yields, when it is known without the photo (a
// crop or an exact resize): {1,3,H,W} or {1,H,W,3} ({1,1,H,W} for grey); empty
// otherwise. With native crops, 3 channels per view: {1,3*(1+crops),H,W}.
std::vector<int64_t> recipe_input_shape(const Recipe& recipe);

// "resize 256, crop 224x224, 0-1, mean [...] std [...], RGB NCHW float32"
std::string describe_recipe(const Recipe& recipe);

struct ResolvedRecipe {
  Recipe recipe;
  std::string source;  // "flags over extra/mtool.json", "model.pt.json", "default (ImageNet)", ...
  nlohmann::json stored = nlohmann::json::object();  // the stored/sidecar JSON, extra keys included
};

// The recipe in effect for a model: fields from `flags` (a JSON object of
// overrides) over the first of the archive's extra/mtool.json, the sidecar
// `<model>.json`, and the default. Throws Error(Usage) on a malformed one.
ResolvedRecipe resolve_recipe(const ModelReport& report, const nlohmann::json& flags);

// The text of extra/mtool.json in the report, if the archive has one.
const std::string* stored_recipe_text(const ModelReport& report);

}  // namespace mtool
