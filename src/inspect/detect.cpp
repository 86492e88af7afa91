#include <fmt/format.h>

#include "inspect/diagnoses.h"
#include "inspect/executorch_external_data.h"
#include "inspect/inspector.h"
#include "inspect/pickle_security.h"
#include "inspect/probes.h"
#include "io/mapped_file.h"

namespace mtool {

namespace {

using Probe = bool (*)(Bytes, ModelReport&);

// Order matters only where signatures could overlap: binary magic numbers
// first, then pickles (which have none), then text.
constexpr Probe kProbes[] = {
    try_inspect_torch_zip,        try_inspect_lite_flatbuffer, try_inspect_executorch,
    try_inspect_tflite,            try_inspect_onnx,            try_inspect_coreml,
    try_inspect_foreign_format,
    try_inspect_legacy_torch_save, try_inspect_pickle,          try_inspect_text_download,
};

void mark_damaged(ModelReport& report, const FormatError& error) {
  report.damaged_format = report.format;
  report.format = ModelFormat::Corrupt;
  report.damage = error.what();
  report.truncated = error.damage() == Damage::Truncated;
  report.description = fmt::format("damaged {} file", format_name(*report.damaged_format));
}

void identify(Bytes bytes, ModelReport& report) {
  if (bytes.empty()) {
    report.description = "empty file (0 bytes)";
    return;
  }
  for (Probe probe : kProbes) {
    try {
      if (probe(bytes, report)) return;
    } catch (const FormatError& error) {
      mark_damaged(report, error);
      return;
    }
  }
  report.format = ModelFormat::Unknown;
  report.description = fmt::format("unrecognised content (first bytes {})", hex_preview(bytes));
}

}  // namespace

ModelReport inspect_bytes(Bytes bytes, const std::string& path, const InspectOptions& options) {
  ModelReport report;
  report.path = path;
  report.size_bytes = bytes.size();
  identify(bytes, report);
  add_compatibility(report);
  // Security first: the diagnoses after it must not advise loading a file
  // whose pickles would run code.
  add_pickle_security(bytes, report);
  add_diagnoses(report, options);
  return report;
}

ModelReport inspect_path(const std::string& path, const InspectOptions& options) {
  if (is_directory(path)) {
    ModelReport report;
    report.path = path;
    try {
      if (!try_inspect_directory(path, report)) throw Error(ErrorKind::Io, "is a directory, not a model file");
    } catch (const FormatError& error) {
      mark_damaged(report, error);
    }
    add_diagnoses(report, options);
    return report;
  }
  MappedFile file(path);
  ModelReport report = inspect_bytes(file.bytes(), path, options);
  resolve_executorch_external_data(report);
  return report;
}

}  // namespace mtool
