// `mtool inspect app.apk` (or .aab, .ipa, .aar, Foo.app/): the models found
// inside, then each one's own report (schema: docs/inspect-json.md).
#include <fmt/format.h>

#include "io/json_text.h"
#include "render.h"
#include "text_width.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string kind_words(const std::string& kind) {
  if (kind == "apk") return "Android app (APK)";
  if (kind == "aab") return "Android App Bundle (AAB)";
  if (kind == "aar") return "Android library (AAR)";
  if (kind == "ipa") return "iOS app archive (IPA)";
  if (kind == "app") return "app bundle folder";
  return kind;
}

}  // namespace

std::string render_app_text(const AppReport& app, const Style& style, const TextOptions& options) {
  std::string out = style.bold(escaped_name(app.path)) + "\n";
  auto field = [&](const std::string& label, const std::string& value) {
    out += fmt::format("  {}{}\n", style.dim(fmt::format("{:<13}", label)), value);
  };
  field("format", fmt::format("{}, {} model{} among {} files  [app]", kind_words(app.kind), app.models.size(),
                              app.models.size() == 1 ? "" : "s", app.files));
  size_t width = 0;
  // Locations are names from the app: escaped, then padded by the columns they take.
  for (const EmbeddedModel& model : app.models) {
    width = std::max(width, std::min<size_t>(visible_width(escaped_name(model.location)), 44));
  }
  std::string models;
  for (const EmbeddedModel& model : app.models) {
    models += fmt::format("{}{}  {:<16} {}", models.empty() ? "" : "\n               ",
                          pad_right(escaped_name(model.location), width), format_name(model.report.format),
                          human_bytes(model.report.size_bytes));
  }
  if (!models.empty()) field("models", models);
  if (!app.runtime_cannot_load.empty()) {
    field("runtime", style.red(fmt::format("the app's runtime cannot load {}", fmt::join(app.runtime_cannot_load, ", "))));
  }
  for (const std::string& skipped : app.skipped) field("skipped", skipped);
  for (const EmbeddedModel& model : app.models) {
    out += '\n';
    out += render_text(model.report, style, options);
  }
  return out;
}

std::string render_app_json(const AppReport& app) {
  OrderedJson models = OrderedJson::array();
  for (const EmbeddedModel& model : app.models) models.push_back({{"location", model.location}, {"report", report_json(model.report)}});
  OrderedJson json;
  json["schema"] = "mtool.inspect/1";
  json["path"] = app.path;
  json["format"] = "app";
  json["app"] = {{"kind", app.kind}, {"files", app.files}, {"models", models}, {"skipped", app.skipped},
                 {"runtime_cannot_load", app.runtime_cannot_load}};
  return json_text(json);
}

}  // namespace mtool::cli
