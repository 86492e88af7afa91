#include "explain/explainer.h"

#include <algorithm>

namespace mtool {

const char* model_verdict_name(ModelVerdict verdict) {
  switch (verdict) {
    case ModelVerdict::Confirms: return "confirms";
    case ModelVerdict::Refutes: return "refutes";
    case ModelVerdict::Unrelated: return "unrelated";
  }
  return "unrelated";
}

std::string Finding::value(std::string_view key) const {
  for (const auto& [name, text] : values) {
    if (name == key) return text;
  }
  return "";
}

bool ExplainReport::recognised() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& finding) { return finding.confidence == Confidence::Matches; });
}

namespace {

constexpr size_t kMaxQuotedLines = 3;
constexpr size_t kMaxQuotedChars = 300;

bool pattern_matches(const FailurePattern& pattern, std::string_view squeezed) {
  size_t at = 0;
  for (const std::string& piece : pattern.pieces) {
    at = squeezed.find(piece, at);
    if (at == std::string_view::npos) return false;
    at += piece.size();
  }
  return true;
}

QuotedLine quote(const LogLine& line) {
  std::string text = line.text.size() > kMaxQuotedChars ? line.text.substr(0, kMaxQuotedChars) + "..." : line.text;
  return {line.number, text};
}

struct Match {
  const FailureEntry* entry = nullptr;
  const FailurePattern* pattern = nullptr;
  bool spans_next = false;
};

// The first entry from `first` on whose pattern matches line i, alone or
// wrapped onto line i+1.
Match match_line(const std::vector<std::string>& squeezed, size_t i, size_t first) {
  std::string pair = i + 1 < squeezed.size() ? squeezed[i] + squeezed[i + 1] : squeezed[i];
  const std::vector<FailureEntry>& catalog = failure_catalog();
  for (size_t e = first; e < catalog.size(); ++e) {
    const FailureEntry& entry = catalog[e];
    for (const FailurePattern& pattern : entry.patterns) {
      if (pattern_matches(pattern, squeezed[i])) return {&entry, &pattern, false};
      if (i + 1 < squeezed.size() && pattern_matches(pattern, pair) && !pattern_matches(pattern, squeezed[i + 1])) {
        return {&entry, &pattern, true};
      }
    }
  }
  return {};
}

void take_texts(const FailureEntry& entry, Finding& finding) {
  finding.code = entry.code;
  finding.what = entry.what;
  finding.cause = entry.cause;
  finding.fix = entry.fix;
  finding.source = entry.source;
}

// A finding for one match, read by its entry (which may reject it or send it
// to another code).
std::optional<Finding> read_match(const std::vector<LogLine>& lines, size_t i, const Match& match) {
  Finding finding;
  take_texts(*match.entry, finding);
  finding.confidence = match.pattern->confidence;
  finding.occurrences = 1;
  finding.lines.push_back(quote(lines[i]));
  if (match.spans_next) finding.lines.push_back(quote(lines[i + 1]));
  if (match.entry->refine) {
    MatchContext context{lines, i, lines[i].text + (i + 1 < lines.size() ? " " + lines[i + 1].text : "")};
    Refined refined = match.entry->refine(context, finding);
    if (refined == Refined::Reject) return std::nullopt;
    if (refined == Refined::Redirect) {
      const FailureEntry* target = find_failure(finding.code);
      if (!target) return std::nullopt;
      take_texts(*target, finding);
    }
  }
  return finding;
}

void merge(std::vector<Finding>& findings, Finding finding) {
  auto same = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.code == finding.code; });
  if (same == findings.end()) {
    findings.push_back(std::move(finding));
    return;
  }
  same->occurrences += finding.occurrences;
  same->confidence = std::max(same->confidence, finding.confidence);
  for (QuotedLine& line : finding.lines) {
    bool quoted = std::any_of(same->lines.begin(), same->lines.end(), [&](const QuotedLine& q) { return q.number == line.number; });
    if (!quoted && same->lines.size() < kMaxQuotedLines) same->lines.push_back(std::move(line));
  }
  for (std::string& fact : finding.facts) {
    if (std::find(same->facts.begin(), same->facts.end(), fact) == same->facts.end()) same->facts.push_back(std::move(fact));
  }
  if (same->values.empty()) {
    same->values = std::move(finding.values);
    same->fix = std::move(finding.fix);
  }
}

}  // namespace

ExplainReport explain_text(std::string_view text) {
  ExplainReport report;
  std::vector<LogLine> lines = split_log(text);
  report.lines_read = lines.size();
  std::vector<std::string> squeezed;
  squeezed.reserve(lines.size());
  for (const LogLine& line : lines) squeezed.push_back(squeeze(line.text));
  const FailureEntry* catalog = failure_catalog().data();
  for (size_t i = 0; i < lines.size(); ++i) {
    // An entry whose reader rejects the line leaves it to the entries after it.
    for (Match match = match_line(squeezed, i, 0); match.entry;
         match = match_line(squeezed, i, static_cast<size_t>(match.entry - catalog) + 1)) {
      if (std::optional<Finding> finding = read_match(lines, i, match)) {
        merge(report.findings, std::move(*finding));
        break;
      }
    }
  }
  for (Finding& finding : report.findings) {
    std::sort(finding.lines.begin(), finding.lines.end(),
              [](const QuotedLine& a, const QuotedLine& b) { return a.number < b.number; });
  }
  // A certain explanation makes weaker guesses about the same lines noise.
  if (report.recognised()) {
    std::erase_if(report.findings, [](const Finding& f) { return f.confidence == Confidence::Possibly && f.code == "unpickling-error"; });
  }
  return report;
}

}  // namespace mtool
