#pragma once
// The three ways `mtool score` prints a photo's result: an aligned line for
// people, a JSON Lines object (docs/score-json.md), a CSV row.
#include <nlohmann/json.hpp>
#include <string>

#include "terminal.h"

namespace mtool::cli {

struct ScoreLineOptions {
  size_t path_width = 0;  // columns (text_width.h), not bytes
  int top_k = 3;
  bool timings = false;
  Style style;
};

std::string score_text_line(const nlohmann::json& event, const ScoreLineOptions& options);

// The runtime's event as the documented schema mtool.score/1.
nlohmann::json score_json(const nlohmann::json& event, const std::string& model_name,
                          const nlohmann::json& model_version);

std::string score_csv_header();
std::string score_csv_row(const nlohmann::json& event);

}  // namespace mtool::cli
