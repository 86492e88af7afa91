#pragma once
// The preprocessing flags shared by `mtool score` and `mtool recipe set`,
// turned into a recipe JSON object of overrides (score/recipe.h), and the
// recipe printout both commands show.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "score/recipe.h"

namespace mtool::cli {

struct RecipeFlags {
  std::string resize;  // "256" or "320x240" or "none"
  std::string crop;    // "224" or "WxH" or "none"
  std::string range;   // "0-1" or "0-255"
  std::string mean;    // "0.485,0.456,0.406"
  std::string std;
  std::string channels;
  std::string layout;
  std::string dtype;
  bool exact_resize = false;
  bool no_auto_rotate = false;
};

void add_recipe_flags(CLI::App& command, RecipeFlags& flags);

// Only the flags given; throws Error(Usage) on a malformed value.
nlohmann::json recipe_overrides(const RecipeFlags& flags);

// `mtool recipe show` and `mtool score --show-recipe`: {"model", "source", "recipe"} on stdout.
void print_recipe(const std::string& model, const ResolvedRecipe& resolved);

}  // namespace mtool::cli
