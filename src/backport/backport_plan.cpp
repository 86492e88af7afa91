#include "backport/backport_plan.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "io/error.h"
#include "io/quoting.h"

namespace mtool {

namespace {

std::string reachable(int64_t from) {
  if (from - 1 < kOldestBackportTarget) return "none";
  if (from - 1 == kOldestBackportTarget) return "4";
  return fmt::format("{} to {}", kOldestBackportTarget, from - 1);
}

bool has_code(const ModelReport& report) {
  return std::any_of(report.records.begin(), report.records.end(),
                     [](const ArchiveRecord& record) { return record.name.starts_with("code/"); });
}

[[noreturn]] void refuse_format(const ModelReport& report) {
  switch (report.format) {
    case ModelFormat::LiteFlatbuffer:
      throw Error(ErrorKind::Format, fmt::format(
          "{}: a flatbuffer lite model cannot be backported; `mtool convert {} -o OUT.ptl --bytecode N` "
          "writes it as a zip lite archive of bytecode N", report.path, shell_quote(report.path)));
    case ModelFormat::TorchScript:
      throw Error(ErrorKind::Format, fmt::format(
          "{}: a TorchScript archive has no bytecode to backport; run `mtool convert {} -o OUT.ptl --bytecode N`",
          report.path, report.path));
    default: break;
  }
  throw Error(ErrorKind::Format,
              fmt::format("{}: only lite-interpreter archives can be backported: {}", report.path, report.refusal()));
}

std::string default_output(const std::string& input, int64_t to) {
  std::filesystem::path path(input);
  return (path.parent_path() / fmt::format("{}.v{}.ptl", path.stem().string(), to)).string();
}

}  // namespace

BackportPlan plan_backport(const ModelReport& report, std::optional<int64_t> to,
                           const std::optional<RuntimeRelease>& runtime, const std::string& output) {
  if (report.format != ModelFormat::Lite || !report.bytecode_version) refuse_format(report);
  BackportPlan plan;
  plan.input = report.path;
  plan.from = *report.bytecode_version;
  if (runtime) {
    if (plan.from >= runtime->min_bytecode && plan.from <= runtime->max_bytecode) {
      plan.to = plan.from;
      plan.nothing_to_do = true;
      return plan;
    }
    if (plan.from < runtime->min_bytecode) {
      // What this model cannot do (exit 1); a target no model can reach is a usage error (exit 2).
      throw Error(ErrorKind::Format, fmt::format("{}: bytecode {} is older than LibTorch-Lite {} reads ({} to {}); "
                                                "backport cannot go forward", report.path, plan.from, runtime->version,
                                                runtime->min_bytecode, runtime->max_bytecode));
    }
    to = runtime->max_bytecode;
  }
  plan.to = *to;
  if (plan.to >= plan.from) {
    throw Error(ErrorKind::Format, fmt::format("{}: already at bytecode {}; backport goes to older versions "
                                              "(reachable: {})", report.path, plan.from, reachable(plan.from)));
  }
  if (plan.to < kOldestBackportTarget) {
    throw Error(ErrorKind::Usage, fmt::format("{}: no backport reaches bytecode {}: no PyTorch release registered "
                                              "one below 4 (reachable: {})", report.path, plan.to, reachable(plan.from)));
  }
  // The 8->7, 7->6 and 6->5 steps re-export from the TorchScript code.
  bool needs_code = plan.to < std::min<int64_t>(plan.from, 8) && plan.from > 5;
  if (needs_code && !has_code(report)) {
    throw Error(ErrorKind::Usage, fmt::format("{}: this lite archive has no code/ folder, which the backport steps "
                                              "below bytecode {} need; export it again from the TorchScript model "
                                              "(reachable without code: {})", report.path, std::min<int64_t>(plan.from, 8),
                                              plan.from == 5 ? "4" : "none"));
  }
  plan.output = output.empty() ? default_output(report.path, plan.to) : output;
  std::error_code error;
  if (std::filesystem::equivalent(plan.output, plan.input, error)) {
    throw Error(ErrorKind::Usage, fmt::format("{}: the output would replace the input; choose another -o", report.path));
  }
  return plan;
}

}  // namespace mtool
