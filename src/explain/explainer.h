#pragma once
// mtool explain's library entry point: the known failures in an error log,
// each with its cause and fix, and (with the model the app loaded) whether the
// file confirms them and what to run. Nothing here prints or loads LibTorch.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "explain/failure_catalog.h"
#include "inspect/model_report.h"

namespace mtool {

struct QuotedLine {
  size_t number = 0;  // line number in the log (after escapes became line breaks)
  std::string text;
};

// What the model file says about a finding.
enum class ModelVerdict { Confirms, Refutes, Unrelated };
const char* model_verdict_name(ModelVerdict verdict);

struct ModelEvidence {
  ModelVerdict verdict = ModelVerdict::Unrelated;
  std::string reason;  // one sentence
};

struct Finding {
  std::string code;
  Confidence confidence = Confidence::Matches;
  std::string what, cause, fix, source;
  std::vector<std::string> facts;     // numbers, names and versions read from the log
  std::vector<QuotedLine> lines;      // the lines that matter, quoted back
  size_t occurrences = 0;
  // With --model:
  std::optional<ModelEvidence> model;
  std::vector<std::string> commands;  // shell lines to run, paths quoted
  std::vector<std::string> python;    // Python lines to run
  // Values read from the log, for the entry's own use (versions, names).
  std::vector<std::pair<std::string, std::string>> values;
  std::string value(std::string_view key) const;
};

struct ExplainReport {
  size_t lines_read = 0;
  std::vector<Finding> findings;  // in the order they appear in the log
  std::optional<ModelReport> model;

  // A finding that is the failure's own message (exit code 0 when there is one).
  bool recognised() const;
};

ExplainReport explain_text(std::string_view text);

// Adds what the model file confirms or refutes, and the commands to run.
void check_against_model(ExplainReport& report, ModelReport model);

}  // namespace mtool
