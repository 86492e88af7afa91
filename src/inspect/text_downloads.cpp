// Files that are text where a model should be: what a failed download leaves
// behind under the model's name.
#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "inspect/probes.h"
#include "inspect/shared_diagnoses.h"

namespace mtool {

namespace {

constexpr uint64_t kMaxTextDocument = 1ull << 20;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim_front(Bytes bytes) {
  if (starts_with(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);  // UTF-8 byte order mark
  size_t start = 0;
  while (start < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[start]))) ++start;
  return bytes.substr(start);
}

std::string value_after(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos) return {};
  size_t start = at + key.size();
  size_t end = text.find('\n', start);
  return std::string(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

void add(ModelReport& report, std::string code, std::string message, std::string fix) {
  report.diagnoses.push_back({std::move(code), Severity::Error, std::move(message), std::move(fix)});
}

bool inspect_lfs_pointer(std::string_view text, ModelReport& report) {
  if (!text.starts_with("version https://git-lfs.github.com/spec/")) return false;
  report.description = "Git LFS pointer file (the model itself was never downloaded)";
  std::string size = value_after(text, "\nsize ");
  std::string oid = value_after(text, "\noid ");
  add(report, shared::kGitLfsPointer.code,
      fmt::format("This is a Git LFS pointer ({} bytes) standing in for the real {}-byte model{}.", text.size(),
                  size.empty() ? "?" : size, oid.empty() ? "" : " " + oid),
      shared::kGitLfsPointer.fix);
  return true;
}

bool inspect_markup(std::string_view text, ModelReport& report) {
  std::string head = lowercase(text.substr(0, 1024));
  bool html = head.starts_with("<!doctype html") || head.starts_with("<html") || head.find("<html") != std::string::npos;
  bool xml_error = head.starts_with("<?xml") && head.find("<error>") != std::string::npos;
  if (!html && !xml_error) return false;
  std::string detail;
  std::string lower = lowercase(text.substr(0, kMaxTextDocument));
  for (auto [open, close] : {std::pair{"<title>", "</title>"}, std::pair{"<message>", "</message>"}}) {
    size_t start = lower.find(open);
    size_t end = lower.find(close);
    if (start != std::string::npos && end != std::string::npos && end > start) {
      detail = std::string(text.substr(start + std::string_view(open).size(), end - start - std::string_view(open).size()));
      break;
    }
  }
  report.description = html ? "HTML page" : "XML error document";
  add(report, shared::kDownloadErrorPage.code,
      fmt::format("This is {} saved under a model's name, not a model{}.", html ? "an HTML page" : "an XML error",
                  detail.empty() ? "" : fmt::format(" (\"{}\")", detail.substr(0, 120))),
      shared::kDownloadErrorPage.fix);
  return true;
}

bool inspect_json(std::string_view text, ModelReport& report) {
  if (text.empty() || (text.front() != '{' && text.front() != '[') || text.size() > kMaxTextDocument) return false;
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return false;
  std::string detail;
  if (json.is_object()) {
    for (const char* key : {"error", "message", "detail", "errors"}) {
      if (json.contains(key)) {
        detail = json[key].is_string() ? json[key].get<std::string>() : json[key].dump();
        break;
      }
    }
  }
  report.description = "JSON document";
  add(report, shared::kDownloadErrorPage.code,
      fmt::format("This is a JSON document, not a model{}.", detail.empty() ? "" : fmt::format(" (\"{}\")", detail.substr(0, 120))),
      "Download the file again and check its size; an API or a web server answered with this instead of the model.");
  return true;
}

}  // namespace

bool try_inspect_text_download(Bytes file, ModelReport& report) {
  std::string_view text = trim_front(file.substr(0, kMaxTextDocument + 1));
  if (inspect_lfs_pointer(text, report) || inspect_markup(text, report) || inspect_json(text, report)) {
    report.format = ModelFormat::Unknown;
    return true;
  }
  return false;
}

}  // namespace mtool
