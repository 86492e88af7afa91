#include <algorithm>
#include <fmt/format.h>

#include "inspect/runtime_versions.h"
#include "render.h"
#include "render_formats.h"
#include "text_width.h"

namespace mtool::cli {

namespace {

// A diagnosis' message and fix continue under column 12, where the message's
// column starts (below the severity); a field's value under column 15.
constexpr size_t kDiagnosisIndent = 12;
constexpr size_t kValueColumn = 15;

// Each line of `text` wrapped to `width`, continuing under `indent` or under its own
// leading spaces when deeper (a table's rows). A multi-line message (LibTorch's)
// wraps line by line.
std::string wrapped(const std::string& text, size_t width, size_t indent) {
  std::string out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = std::string_view(text).substr(at, end - at);
    size_t leading = std::min(line.find_first_not_of(' '), line.size());
    out += wrap_line(line, width, std::max(indent, leading)) + "\n";
    at = end + 1;
  }
  return out;
}

class Lines {
 public:
  Lines(const Style& style, size_t width) : style_(style), width_(width) {}
  void field(const std::string& label, const std::string& value) {
    out_ += wrapped(fmt::format("  {}{}", style_.dim(fmt::format("{:<13}", label)), value), width_, kValueColumn);
  }
  void raw(const std::string& text) { out_ += text; }
  size_t width() const { return width_; }
  std::string take() { return std::move(out_); }

 private:
  const Style& style_;
  size_t width_;
  std::string out_;
};

std::string versions_line(const ModelReport& report) {
  std::vector<std::string> parts;
  if (report.file_format_version) parts.push_back(fmt::format("file format {}", *report.file_format_version));
  if (report.bytecode_version) parts.push_back(fmt::format("bytecode {}", *report.bytecode_version));
  if (report.pickle_protocol) parts.push_back(fmt::format("pickle protocol {}", *report.pickle_protocol));
  return fmt::format("{}", fmt::join(parts, " · "));
}

std::string loads_line(const Compatibility& c) {
  std::vector<std::string> parts;
  parts.push_back(c.torch_jit_load ? fmt::format("torch::jit::load in LibTorch {}+", *c.torch_jit_load)
                                   : "not torch::jit::load");
  if (c.load_for_mobile) {
    parts.push_back(c.load_for_mobile_last
                        ? fmt::format("_load_for_mobile in LibTorch-Lite {} to {}", *c.load_for_mobile, *c.load_for_mobile_last)
                        : fmt::format("_load_for_mobile in LibTorch-Lite {}+", *c.load_for_mobile));
  } else {
    parts.push_back("not _load_for_mobile");
  }
  return fmt::format("{}", fmt::join(parts, " · "));
}

std::string operators_line(const ModelReport& report, bool all) {
  uint64_t calls = 0;
  for (const OperatorUse& use : report.operators) calls += use.count;
  std::vector<OperatorUse> sorted = report.operators;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  bool code = report.operators_source == "code";
  std::string head = fmt::format("{} operator{}, {} {} (from {})", sorted.size(), sorted.size() == 1 ? "" : "s", calls,
                                 code ? (calls == 1 ? "call site" : "call sites") : (calls == 1 ? "call" : "calls"),
                                 report.operators_source);
  if (all) {
    std::string out = head;
    for (const OperatorUse& use : sorted) out += fmt::format("\n{:15}{:>6}  {}", "", use.count, use.full_name());
    return out;
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < sorted.size() && i < kSectionShown; ++i) {
    names.push_back(fmt::format("{} ×{}", sorted[i].full_name(), sorted[i].count));
  }
  if (sorted.size() > kSectionShown) names.push_back("...");
  return fmt::format("{}: {}", head, fmt::join(names, ", "));
}

std::string tensors_line(const TensorSummary& tensors) {
  std::vector<std::string> dtypes;
  for (const auto& [dtype, totals] : tensors.by_dtype) {
    dtypes.push_back(fmt::format("{} {} ({})", dtype, totals.tensors, human_bytes(totals.bytes)));
  }
  return fmt::format("{} tensors · {} elements · {}{} · {}", tensors.count, human_count(tensors.elements),
                     human_bytes(tensors.bytes), tensors.quantized ? fmt::format(" · {} quantized", tensors.quantized) : "",
                     fmt::join(dtypes, ", "));
}

std::string records_line(const ModelReport& report, bool all) {
  size_t compressed = std::count_if(report.records.begin(), report.records.end(), [](const auto& r) { return r.compressed; });
  std::string out = fmt::format("{} records ({} compressed)", report.records.size(), compressed);
  if (!all) return out;
  for (const ArchiveRecord& record : report.records) {
    out += fmt::format("\n{:15}{:>10}  {}{}", "", record.size, record.name,
                       record.compressed ? fmt::format(" (deflated to {})", record.compressed_size) : "");
  }
  return out;
}

std::string extra_files_line(const ModelReport& report, bool all) {
  std::vector<std::string> names;
  for (const ExtraFile& file : report.extra_files) {
    names.push_back(fmt::format("{} ({})", escaped_name(file.name), human_bytes(file.size)));
  }
  std::string out = fmt::format("{}", fmt::join(names, ", "));
  for (const ExtraFile& file : report.extra_files) {
    if (!file.text || (!all && file.text->size() > 200)) continue;
    out += fmt::format("\n{:15}{}: {}", "", escaped_name(file.name), *file.text);
  }
  return out;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

std::string security_line(const PickleSecurity& security, const Style& style) {
  std::vector<std::string> parts;
  if (!security.dangerous.empty()) parts.push_back(style.red(fmt::format("dangerous: {}", fmt::join(security.dangerous, ", "))));
  if (!security.unknown.empty()) parts.push_back(style.yellow(fmt::format("unknown: {}", fmt::join(security.unknown, ", "))));
  if (!security.not_scanned.empty()) parts.push_back(fmt::format("{} parts not scanned", security.not_scanned.size()));
  if (parts.empty()) return fmt::format("safe: the pickles name {} globals, all on the safe list", security.globals);
  return fmt::format("{}", fmt::join(parts, " · "));
}

// torch.save contents: tensors by key, other values, and the object tree.
std::string contents_lines(const PickleContents& contents, bool all) {
  constexpr size_t kShown = 12;
  std::string out = fmt::format("{} tensors, {} other values, {} objects", contents.tensors.size(),
                                contents.values.size(), contents.objects.size());
  size_t key_width = 0;
  // Keys are names from the file: escaped, then padded by the columns they take (CJK two each).
  for (const TensorEntry& tensor : contents.tensors) {
    key_width = std::max(key_width, std::min<size_t>(visible_width(escaped_name(tensor.key)), 48));
  }
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    if (!all && i == kShown) {
      out += fmt::format("\n{:17}... {} more tensors (--all lists them)", "", contents.tensors.size() - kShown);
      break;
    }
    const TensorEntry& tensor = contents.tensors[i];
    std::string storage = tensor.shares_storage_with.empty() ? human_bytes(tensor.storage_bytes)
                                                             : "shares storage with " + tensor.shares_storage_with;
    out += fmt::format("\n{:17}{}  {:<8} {:<18} {}", "", pad_right(escaped_name(tensor.key), key_width), tensor.dtype,
                       shape_text(tensor.shape), storage);
  }
  for (size_t i = 0; i < contents.values.size(); ++i) {
    if (!all && i == kShown) {
      out += fmt::format("\n{:17}... {} more values (--all lists them)", "", contents.values.size() - kShown);
      break;
    }
    out += fmt::format("\n{:17}{} = {}", "", contents.values[i].key, contents.values[i].summary);
  }
  return out;
}

std::string objects_lines(const PickleContents& contents, bool all) {
  constexpr size_t kShown = 12;
  std::string out = fmt::format("{} objects", contents.objects.size());
  for (size_t i = 0; i < contents.objects.size(); ++i) {
    if (!all && i == kShown) {
      out += fmt::format("\n{:17}... {} more", "", contents.objects.size() - kShown);
      break;
    }
    const ObjectEntry& object = contents.objects[i];
    size_t depth = object.key.empty() ? 0 : static_cast<size_t>(std::count(object.key.begin(), object.key.end(), '.')) + 1;
    std::string name = object.key.empty() ? "(root)" : object.key.substr(object.key.rfind('.') + 1);
    out += fmt::format("\n{:17}{:{}}{}  {}", "", "", depth * 2, name, object.class_name);
  }
  return out;
}

void render_diagnoses(const ModelReport& report, const Style& style, Lines& lines) {
  if (report.diagnoses.empty()) return;
  lines.raw(fmt::format("  {}\n", style.dim("diagnoses")));
  for (const Diagnosis& diagnosis : report.diagnoses) {
    std::string severity = fmt::format("{:<8}", severity_name(diagnosis.severity));
    if (diagnosis.severity == Severity::Error) severity = style.red(severity);
    if (diagnosis.severity == Severity::Warning) severity = style.yellow(severity);
    if (diagnosis.severity == Severity::Info) severity = style.cyan(severity);
    // Escaped before it is measured: an escape takes four columns.
    lines.raw(
        wrapped(fmt::format("    {}{}  {}", severity, style.bold(diagnosis.code), terminal_safe(diagnosis.message)),
                lines.width(), kDiagnosisIndent));
    if (!diagnosis.fix.empty()) {
      lines.raw(wrapped(fmt::format("{:{}}{}", "", kDiagnosisIndent, style.dim("fix: ") + terminal_safe(diagnosis.fix)),
                        lines.width(), kDiagnosisIndent));
    }
  }
}

}  // namespace

std::string render_text(const ModelReport& report, const Style& style, const TextOptions& options) {
  Lines lines(style, options.width);
  // The path as the user typed it, escaped: a file name can hold ESC or a newline.
  lines.raw(style.bold(escaped_name(report.path)) + "\n");
  lines.field("format", fmt::format("{}  [{}]", report.description, format_name(report.format)));
  lines.field("size", human_bytes(report.size_bytes));
  if (!report.damage.empty()) lines.field("damage", report.damage);
  std::string versions = versions_line(report);
  if (!versions.empty()) lines.field("versions", versions);
  if (report.loadable_by) {
    lines.field("loads with", loads_line(*report.loadable_by));
    const LinkedLibTorch& linked = linked_libtorch();
    lines.field("mtool links", fmt::format("LibTorch {}: torch::jit::load {} · _load_for_mobile {}", linked.version,
                                           report.loadable_by->linked_torch_jit_load ? "yes" : "no",
                                           report.loadable_by->linked_load_for_mobile ? "yes" : "no"));
  }
  if (!report.root_classes.empty()) lines.field("holds", report.root_classes.front());
  if (report.forward) lines.field("forward", render_signature(report.forward->signature));
  if (!report.classes.empty()) {
    std::string classes = fmt::format("{}", report.classes.size());
    if (options.all) {
      for (const ClassInfo& info : report.classes) {
        classes += fmt::format("\n{:15}{} ({})", "", info.name, fmt::join(info.methods, ", "));
      }
    }
    lines.field("classes", classes);
  }
  if (!report.methods.empty() && options.all) {
    std::string methods = fmt::format("{}", report.methods.size());
    for (const MethodSignature& method : report.methods) {
      methods += fmt::format("\n{:15}{}.{}{}", "", method.owner, method.name, render_signature(method.signature));
    }
    lines.field("methods", methods);
  }
  TextRows format_rows = report.coreml       ? coreml_text_rows(*report.coreml, options.all)
                         : report.onnx       ? onnx_text_rows(*report.onnx, options.all)
                         : report.executorch ? executorch_text_fields(*report.executorch, options.all)
                         : report.tflite     ? tflite_text_fields(*report.tflite, options.all)
                                             : TextRows{};
  for (const auto& [label, value] : format_rows) lines.field(label, value);
  if (!report.operators.empty()) lines.field("operators", operators_line(report, options.all));
  if (report.tensors && report.tensors->count > 0) lines.field("tensors", tensors_line(*report.tensors));
  if (report.security) lines.field("security", security_line(*report.security, style));
  if (report.contents && !report.contents->objects.empty()) lines.field("objects", objects_lines(*report.contents, options.all));
  if (report.contents && (!report.contents->tensors.empty() || !report.contents->values.empty())) {
    lines.field("contents", contents_lines(*report.contents, options.all));
  }
  if (!report.records.empty()) lines.field("records", records_line(report, options.all));
  if (!report.extra_files.empty()) lines.field("extra files", extra_files_line(report, options.all));
  if (!report.producer.empty()) {
    std::vector<std::string> details;
    for (const auto& [key, value] : report.producer) details.push_back(key + " " + value);
    lines.field("details", fmt::format("{}", fmt::join(details, " · ")));
  }
  render_diagnoses(report, style, lines);
  return lines.take();
}

}  // namespace mtool::cli
