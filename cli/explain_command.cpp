// mtool explain [LOGFILE | - | TEXT...] [--model FILE] [--json]
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "commands.h"
#include "exit_codes.h"
#include "explain/explainer.h"
#include "inspect/inspector.h"
#include "io/error.h"
#include "io/json_text.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

struct ExplainArgs {
  std::vector<std::string> input;
  std::string model;
  bool json = false;
};

constexpr size_t kWidth = 80;
constexpr size_t kLabelWidth = 10;

std::string read_stream(std::istream& in) {
  std::string text;
  char buffer[65536];
  // explain reads at most kMaxLogBytes; the rest of a longer log is not read.
  while (text.size() < kMaxLogBytes) {
    in.read(buffer, sizeof buffer);
    if (in.gcount() <= 0) break;
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  return text;
}

bool looks_like_text(const std::string& argument) {
  return argument.find_first_of(" \t\n:'\"") != std::string::npos;
}

// The log: a file, stdin ("-" or nothing), or the arguments themselves.
std::string read_input(const std::vector<std::string>& input) {
  if (input.empty() && isatty(STDIN_FILENO)) {
    throw Error(ErrorKind::Io, "no log given: pass a LOGFILE, - with the log on stdin, or the message quoted");
  }
  if (input.empty() || (input.size() == 1 && input[0] == "-")) return read_stream(std::cin);
  if (input.size() == 1) {
    const std::string& argument = input[0];
    std::error_code error;
    if (fs::is_directory(argument, error)) throw Error(ErrorKind::Io, fmt::format("{}: is a directory", argument));
    if (fs::exists(argument, error)) {
      std::ifstream file(argument, std::ios::binary);
      if (!file) throw Error(ErrorKind::Io, fmt::format("{}: cannot open: {}", argument, std::strerror(errno)));
      return read_stream(file);
    }
    if (!looks_like_text(argument)) {
      throw Error(ErrorKind::Io, fmt::format("{}: cannot open: No such file or directory (to explain a message, "
                                             "quote it whole)", argument));
    }
    return argument;
  }
  std::string text;
  for (const std::string& part : input) text += (text.empty() ? "" : " ") + part;
  return text;
}

// Words of `text` wrapped to the page, every line after the first indented.
std::string wrap(const std::string& text, size_t indent) {
  std::istringstream words(text);
  std::string out, line, word;
  while (words >> word) {
    if (!line.empty() && indent + line.size() + 1 + word.size() > kWidth) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

void print_field(const Style& style, const std::string& label, const std::string& text) {
  std::printf("  %s%s\n", style.dim(fmt::format("{:<{}}", label, kLabelWidth - 2)).c_str(),
              terminal_safe(wrap(text, kLabelWidth)).c_str());
}

// Commands are printed as they are, one per line, to be copied.
void print_lines(const Style& style, const std::string& label, const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    std::printf("  %s%s\n", style.dim(fmt::format("{:<{}}", i == 0 ? label : "", kLabelWidth - 2)).c_str(),
                terminal_safe(lines[i]).c_str());
  }
}

void print_finding(const Finding& finding, const Style& style) {
  std::string confidence = confidence_name(finding.confidence);
  std::printf("%s  %s\n", style.bold(finding.code).c_str(),
              (finding.confidence == Confidence::Matches ? style.red(confidence) : style.yellow(confidence)).c_str());
  print_field(style, "What", finding.what);
  for (const QuotedLine& line : finding.lines) print_field(style, "Log", fmt::format("line {}: {}", line.number, line.text));
  if (finding.occurrences > finding.lines.size()) {
    print_field(style, "", fmt::format("({} times in the log)", finding.occurrences));
  }
  for (const std::string& fact : finding.facts) print_field(style, "Found", fact);
  print_field(style, "Cause", finding.cause);
  print_field(style, "Fix", finding.fix);
  if (finding.model) {
    print_field(style, "Model", fmt::format("{}: {}", model_verdict_name(finding.model->verdict), finding.model->reason));
  }
  print_lines(style, "Run", finding.commands);
  print_lines(style, "Python", finding.python);
  print_field(style, "Source", finding.source);
}

void print_text(const ExplainReport& report) {
  Style style = style_for(stdout);
  if (report.model) {
    std::printf("%s %s: %s\n", style.dim("model").c_str(), terminal_safe(report.model->path).c_str(),
                terminal_safe(report.model->description).c_str());
  }
  bool recognised = report.recognised();
  if (!recognised) {
    std::printf("Not recognised: no known failure in the %zu lines read.\n", report.lines_read);
    if (!report.findings.empty()) std::printf("Best guesses (the text is not certain to be these):\n");
  }
  for (const Finding& finding : report.findings) {
    std::printf("\n");
    print_finding(finding, style);
  }
}

OrderedJson finding_json(const Finding& finding) {
  OrderedJson lines = OrderedJson::array();
  for (const QuotedLine& line : finding.lines) lines.push_back({{"line", line.number}, {"text", line.text}});
  OrderedJson values = OrderedJson::object();
  for (const auto& [key, value] : finding.values) values[key] = value;
  OrderedJson model = finding.model ? OrderedJson{{"verdict", model_verdict_name(finding.model->verdict)},
                                                  {"reason", finding.model->reason}}
                                    : OrderedJson(nullptr);
  return {{"code", finding.code},       {"confidence", confidence_name(finding.confidence)},
          {"what", finding.what},       {"cause", finding.cause},
          {"fix", finding.fix},         {"source", finding.source},
          {"occurrences", finding.occurrences}, {"lines", lines},
          {"facts", finding.facts},     {"values", values},
          {"model", model},             {"commands", finding.commands},
          {"python", finding.python}};
}

void print_json(const ExplainReport& report) {
  OrderedJson findings = OrderedJson::array();
  for (const Finding& finding : report.findings) findings.push_back(finding_json(finding));
  OrderedJson model = nullptr;
  if (report.model) {
    const ModelReport& file = *report.model;
    model = {{"path", file.path},
             {"format", format_name(file.format)},
             {"description", file.description},
             {"scan_verdict", file.security ? OrderedJson(file.security->verdict) : OrderedJson(nullptr)}};
  }
  OrderedJson document = {{"schema", "mtool.explain/1"},
                          {"recognised", report.recognised()},
                          {"lines_read", report.lines_read},
                          {"findings", findings},
                          {"model", model}};
  std::printf("%s\n", json_text(document).c_str());
}

void run_explain(const ExplainArgs& args, RunState& state) {
  ExplainReport report = explain_text(read_input(args.input));
  if (!args.model.empty()) {
    ModelReport model;
    try {
      model = inspect_path(args.model, InspectOptions{});
    } catch (const Error& error) {
      throw Error(ErrorKind::Io, fmt::format("{}: {}", args.model, error.what()));
    }
    check_against_model(report, std::move(model));
  }
  if (args.json) print_json(report);
  else print_text(report);
  state.exit_code = report.recognised() ? kExitOk : kExitProblem;
}

}  // namespace

void setup_explain(CLI::App* command, RunState& state) {
  auto args = std::make_shared<ExplainArgs>();
  command->add_option("input", args->input, "A log file, - for stdin (the default), or the message itself, quoted")
      ->type_name("LOGFILE|-|TEXT");
  command->add_option("--model", args->model, "The model file the app loaded: say whether it confirms each explanation")
      ->type_name("FILE");
  command->add_flag("--json", args->json, "One JSON document (schema: docs/explain-json.md)");
  command->footer(
      "Finds every known failure in an error log, however it was wrapped (Xcode and logcat prefixes, C++ "
      "backtraces, Python tracebacks, Android CppException wrappers, JSON-escaped text), and prints for each its "
      "code (the codes inspect uses), the log lines that matter, what the numbers and names in them mean, the cause "
      "and the fix. \"matches\" means the text is that failure's own message; \"possibly\" is a guess. With --model, "
      "the file is inspected (nothing in it is executed, LibTorch is not loaded) and each explanation is confirmed "
      "or refuted, with the commands to run.\n\n"
      "Exit codes:\n"
      "  0   at least one failure recognised (\"matches\")\n"
      "  1   nothing recognised for certain (at most guesses)\n"
      "  2   usage error, or the log or the model could not be read\n");
  command->callback([args, &state] { run_explain(*args, state); });
}

}  // namespace mtool::cli
