#pragma once
// What `mtool backport` will do, decided from inspect's report without
// LibTorch: the target bytecode version, the output path, and one clear
// sentence listing what is possible when the target cannot be reached.
#include <optional>
#include <string>

#include "inspect/model_report.h"
#include "inspect/runtime_versions.h"

namespace mtool {

// PyTorch registered backports from each version to the one below, down to 4.
constexpr int64_t kOldestBackportTarget = 4;

struct BackportPlan {
  std::string input;
  std::string output;
  int64_t from = 0;
  int64_t to = 0;
  bool nothing_to_do = false;  // --runtime already loads the input
};

// Exactly one of `to` and `runtime` is set. `output` may be empty (default:
// "<stem>.v<N>.ptl" beside the input). Throws Error(Usage) or Error(Format).
BackportPlan plan_backport(const ModelReport& report, std::optional<int64_t> to,
                           const std::optional<RuntimeRelease>& runtime, const std::string& output);


}  // namespace mtool
