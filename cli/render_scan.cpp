#include "render_scan.h"

#include <fmt/format.h>
#include <vector>

#include "io/utf8.h"

namespace mtool::cli {

using OrderedJson = nlohmann::ordered_json;

namespace {

std::string details_of(const ScanReport& report) {
  std::vector<std::string> parts;
  auto dangerous = report.names(Verdict::Dangerous);
  auto unknown = report.names(Verdict::Unknown);
  if (!dangerous.empty()) parts.push_back(fmt::format("dangerous: {}", fmt::join(dangerous, ", ")));
  if (!unknown.empty()) parts.push_back(fmt::format("unknown: {}", fmt::join(unknown, ", ")));
  if (!report.complete()) parts.push_back(fmt::format("not scanned: {}", fmt::join(report.not_scanned, "; ")));
  if (report.pickles == 0 && report.complete()) parts.push_back("no pickle found");
  return fmt::format("{}", fmt::join(parts, " · "));
}

}  // namespace

// "incomplete": nothing dangerous or unknown was found in what could be read,
// but not everything could (its verdict is then "unknown", never "safe").
std::string scan_status(const ScanReport& report) {
  bool named_unknown = !report.names(Verdict::Unknown).empty();
  switch (report.verdict()) {
    case Verdict::Dangerous: return "dangerous";
    case Verdict::Unknown: return report.complete() || named_unknown ? "unknown" : "incomplete";
    case Verdict::Safe: return "safe";
  }
  return "unknown";
}

std::string scan_text_line(const ScanReport& report, size_t width, const Style& style) {
  std::string name = scan_status(report);
  std::string status = fmt::format("{:<10}", name);
  if (report.verdict() == Verdict::Dangerous) status = style.red(status);
  else if (name != "safe") status = style.yellow(status);
  std::string path = escaped_name(report.path);
  std::string details = terminal_safe(details_of(report));
  if (details.empty()) return status + " " + path;  // never trailing spaces
  // Padded by terminal columns: a CJK name takes two per character.
  size_t shown = display_width(path);
  if (shown < width) path.append(width - shown, ' ');
  return status + " " + path + "  " + details;
}

std::string scan_summary_text(const ScanTally& tally) {
  return fmt::format("{} {}: {} safe, {} unknown, {} dangerous, {} incomplete, {} unreadable", tally.files(),
                     tally.files() == 1 ? "file" : "files", tally.safe, tally.unknown, tally.dangerous,
                     tally.incomplete, tally.unreadable);
}

OrderedJson scan_record_json(const ScanReport& report) {
  OrderedJson globals = OrderedJson::array();
  for (const ScannedGlobal& global : report.globals) {
    globals.push_back({{"module", global.module},
                       {"name", global.name},
                       {"verdict", verdict_name(global.verdict)},
                       {"where", global.where},
                       {"offset", global.offset}});
  }
  return {{"schema", kScanRecordSchema},
          {"path", report.path},
          {"size_bytes", report.size_bytes},
          {"status", scan_status(report)},
          {"verdict", verdict_name(report.verdict())},
          {"complete", report.complete()},
          {"container", report.container},
          {"pickles", report.pickles},
          {"globals", globals},
          {"scanned", report.scanned},
          {"not_scanned", report.not_scanned}};
}

// A file that could not be read is a record too (named on the command line,
// found below a folder or streamed), so a consumer or a shard's output never
// loses track of a path.
OrderedJson scan_unreadable_json(const std::string& path, const std::string& error) {
  return {{"schema", kScanRecordSchema}, {"path", path},      {"status", "unreadable"},
          {"verdict", "unknown"},        {"complete", false}, {"error", error}};
}

OrderedJson scan_summary_json(const ScanTally& tally, const std::optional<std::string>& shard,
                              std::optional<size_t> resumed) {
  OrderedJson summary = {
      {"schema", kScanSummarySchema},  {"files", tally.files()},       {"safe", tally.safe},
      {"unknown", tally.unknown},      {"dangerous", tally.dangerous}, {"incomplete", tally.incomplete},
      {"unreadable", tally.unreadable}};
  if (shard) summary["shard"] = *shard;
  if (resumed) summary["resumed"] = *resumed;
  return summary;
}

}  // namespace mtool::cli
