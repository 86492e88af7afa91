// mtool scan PATH...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "scan/scanner.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct ScanArgs {
  std::vector<std::string> paths;
  std::vector<std::string> allow;
  bool json = false;
};

struct Tally {
  size_t safe = 0, unknown = 0, dangerous = 0, incomplete = 0, unreadable = 0;
};

// Files as given, and every regular file below folders, sorted.
std::vector<std::string> expand(const std::vector<std::string>& paths, std::vector<std::string>& unreadable) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file()) found.push_back(it->path().string());
    }
    if (error) unreadable.push_back(fmt::format("{}: {}", path, error.message()));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string status_of(const ScanReport& report) {
  switch (report.verdict()) {
    case Verdict::Dangerous: return "dangerous";
    case Verdict::Unknown: return "unknown";
    case Verdict::Safe: return report.complete() ? "safe" : "incomplete";
  }
  return "unknown";
}

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

Json report_json(const ScanReport& report) {
  Json globals = Json::array();
  for (const ScannedGlobal& global : report.globals) {
    globals.push_back({{"module", global.module}, {"name", global.name}, {"verdict", verdict_name(global.verdict)},
                       {"where", global.where}, {"offset", global.offset}});
  }
  return {{"schema", "mtool.scan/1"},      {"path", report.path},          {"size_bytes", report.size_bytes},
          {"status", status_of(report)},   {"verdict", verdict_name(report.verdict())},
          {"complete", report.complete()}, {"container", report.container}, {"pickles", report.pickles},
          {"globals", globals},            {"scanned", report.scanned},    {"not_scanned", report.not_scanned}};
}

void count(Tally& tally, const ScanReport& report) {
  std::string status = status_of(report);
  if (status == "dangerous") ++tally.dangerous;
  else if (status == "unknown") ++tally.unknown;
  else if (status == "incomplete") ++tally.incomplete;
  else ++tally.safe;
}

int exit_code(const Tally& tally) {
  if (tally.dangerous > 0) return kExitProblem;
  if (tally.unreadable > 0) return kExitUsage;
  if (tally.unknown > 0 || tally.incomplete > 0) return kExitUnknown;
  return kExitOk;
}

void run_scan(const ScanArgs& args, RunState& state) {
  GlobalPolicy policy;
  policy.allowed.insert(args.allow.begin(), args.allow.end());
  std::vector<std::string> unreadable;
  std::vector<std::string> files = expand(args.paths, unreadable);
  Style out_style = style_for(stdout);
  Style err_style = style_for(stderr);
  Tally tally;
  for (const std::string& problem : unreadable) {
    std::fprintf(stderr, "%s %s\n", err_style.red("mtool: error:").c_str(), terminal_safe(problem).c_str());
    ++tally.unreadable;
  }
  size_t width = 0;
  for (const std::string& file : files) width = std::max(width, std::min<size_t>(file.size(), 60));
  for (const std::string& file : files) {
    ScanReport report;
    try {
      report = scan_file(file, policy);
    } catch (const Error& error) {
      ++tally.unreadable;
      std::fprintf(stderr, "%s %s: %s\n", err_style.red("mtool: error:").c_str(), file.c_str(), error.what());
      continue;
    }
    count(tally, report);
    if (args.json) {
      std::printf("%s\n", report_json(report).dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
      continue;
    }
    std::string status = fmt::format("{:<10}", status_of(report));
    if (report.verdict() == Verdict::Dangerous) status = out_style.red(status);
    else if (status_of(report) != "safe") status = out_style.yellow(status);
    std::printf("%s %-*s  %s\n", status.c_str(), static_cast<int>(width), terminal_safe(file).c_str(),
                terminal_safe(details_of(report)).c_str());
  }
  size_t total = files.size();
  if (args.json) {
    Json summary = {{"schema", "mtool.scan-summary/1"}, {"files", total}, {"safe", tally.safe},
                    {"unknown", tally.unknown}, {"dangerous", tally.dangerous}, {"incomplete", tally.incomplete},
                    {"unreadable", tally.unreadable}};
    std::printf("%s\n", summary.dump().c_str());
  } else {
    std::printf("\n%zu %s: %zu safe, %zu unknown, %zu dangerous, %zu incomplete, %zu unreadable\n", total,
                total == 1 ? "file" : "files", tally.safe, tally.unknown, tally.dangerous, tally.incomplete,
                tally.unreadable);
  }
  state.exit_code = exit_code(tally);
}

}  // namespace

void setup_scan(CLI::App& parent, RunState& state) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* command = parent.add_subcommand("scan", "Find every pickle in files or folders and flag dangerous globals");
  command->add_option("paths", args->paths, "Files or folders (scanned recursively)")->required()->type_name("PATH");
  command->add_flag("--json", args->json, "One JSON document per file, then a summary, one per line");
  command->add_option("--allow", args->allow, "Accept this global as safe (repeatable), e.g. --allow mypkg.MyModel")
      ->type_name("MODULE.NAME")
      ->allow_extra_args(false);
  command->footer(
      "Reads every pickle in each file (plain pickles, PyTorch zips and their nested zips, legacy torch.save "
      "streams, NumPy object arrays, 7z and tar archives) and classifies each global it names: safe (on the "
      "allowlist of what torch.load(weights_only=True) accepts, plus numpy arrays), dangerous (runs code or "
      "reaches the system: os, subprocess, builtins.eval, ...), or unknown (anything else). Nothing is "
      "unpickled. A file that cannot be read through is never called safe.\n\n"
      "Exit codes:\n"
      "  0   only safe globals, everything read\n"
      "  1   something dangerous\n"
      "  2   usage error, or a file could not be read\n"
      "  3   unknown globals, or parts that could not be scanned, but nothing known to be dangerous\n");
  command->callback([args, &state] { run_scan(*args, state); });
}

}  // namespace mtool::cli
