#pragma once
// Rendering of inspect reports: text for people, JSON for programs
// (schema: docs/inspect-json.md).
#include <nlohmann/json.hpp>
#include <string>

#include "inspect/app_bundle.h"
#include "inspect/model_report.h"
#include "inspect/selected_operators.h"
#include "terminal.h"

namespace mtool::cli {

struct TextOptions {
  bool all = false;  // every record, operator, class and extra file
  size_t width = 0;  // columns fields and diagnoses wrap at (wrap_width); 0: no wrapping
};

std::string render_text(const ModelReport& report, const Style& style, const TextOptions& options);
// One line of JSON (a JSON Lines record).
std::string render_json(const ModelReport& report);
nlohmann::ordered_json report_json(const ModelReport& report);
// An app and the models inside it (render_app.cpp).
std::string render_app_text(const AppReport& app, const Style& style, const TextOptions& options);
std::string render_app_json(const AppReport& app);
// The union operator list for a selective build (render_selected_ops.cpp).
std::string render_selected_ops_yaml(const SelectedOperators& selected);
std::string render_json_error(const std::string& path, const std::string& kind, const std::string& message);

}  // namespace mtool::cli
