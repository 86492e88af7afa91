#pragma once
// The one table of failures `mtool explain` recognises in an error log: for
// each a stable code (shared with inspect's diagnoses where it is the same
// failure, see inspect/shared_diagnoses.h), the patterns that recognise its
// message, the cause, the fix, and where the exact text comes from.
#include <string>
#include <string_view>
#include <vector>

#include "explain/log_lines.h"

namespace mtool {

// "matches": the text is the failure's own message. "possibly": the text is
// also printed by other failures; said as a guess, never as the explanation.
enum class Confidence { Possibly, Matches };
const char* confidence_name(Confidence confidence);

// Pieces that appear in this order in one line, or in a line and the next one
// (a message wrapped by the log). Compared squeezed: case and whitespace do
// not count.
struct FailurePattern {
  std::vector<std::string> pieces;
  Confidence confidence = Confidence::Matches;
};

struct Finding;

// Where a pattern matched, for the entry's reader of numbers and names.
struct MatchContext {
  const std::vector<LogLine>& lines;
  size_t index;       // the line the pattern matched on
  std::string text;   // that line and the next, joined with a space
};

// What an entry's reader decided about a match.
enum class Refined { Keep, Reject, Redirect };

struct FailureEntry {
  std::string code;
  std::string what;    // one line: what failed
  std::string cause;
  std::string fix;
  std::string source;  // the file or thread the exact message comes from
  std::vector<FailurePattern> patterns;
  // Reads versions, shapes and names from the match into the finding; may
  // reject the match, or redirect it to another code (finding.code).
  Refined (*refine)(const MatchContext& match, Finding& finding) = nullptr;
};

const std::vector<FailureEntry>& failure_catalog();
const FailureEntry* find_failure(std::string_view code);

}  // namespace mtool
