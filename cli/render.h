#pragma once
// Rendering of inspect reports: text for people, JSON for programs
// (schema: docs/inspect-json.md).
#include <string>

#include "inspect/model_report.h"
#include "terminal.h"

namespace mtool::cli {

struct TextOptions {
  bool all = false;  // every record, operator, class and extra file
};

std::string render_text(const ModelReport& report, const Style& style, const TextOptions& options);
// One line of JSON (a JSON Lines record).
std::string render_json(const ModelReport& report);
std::string render_json_error(const std::string& path, const std::string& kind, const std::string& message);

}  // namespace mtool::cli
