// What an app needs to load an ExecuTorch program: the backends its methods
// delegate to, kernels for every operator the methods call, its external data,
// and segments that are really in the file. The runtime's own error texts are
// quoted so a user can match them.
#include "inspect/format_diagnoses.h"

#include <fmt/format.h>
#include <map>
#include <set>

namespace mtool {

namespace {

void add(ModelReport& report, const char* code, Severity severity, std::string message, std::string fix) {
  report.diagnoses.push_back({code, severity, std::move(message), std::move(fix)});
}

// How each backend ExecuTorch ships is linked into an app. Backends register
// themselves from static initialisers, so a plain static link drops them.
std::string backend_fix(const std::string& backend) {
  static const std::map<std::string, std::string> fixes = {
      {"XnnpackBackend", "build ExecuTorch with -DEXECUTORCH_BUILD_XNNPACK=ON and link xnnpack_backend"},
      {"CoreMLBackend", "build with -DEXECUTORCH_BUILD_COREML=ON and link coremldelegate (iOS: the backend_coreml "
                        "framework)"},
      {"MPSBackend", "build with -DEXECUTORCH_BUILD_MPS=ON and link mpsdelegate (iOS: the backend_mps framework)"},
      {"QnnBackend", "build with -DEXECUTORCH_BUILD_QNN=ON, link qnn_executorch_backend and ship Qualcomm's QNN "
                     "libraries"},
      {"VulkanBackend", "build with -DEXECUTORCH_BUILD_VULKAN=ON and link vulkan_backend"},
  };
  auto found = fixes.find(backend);
  return found != fixes.end() ? found->second : fmt::format("link the library that registers backend '{}'", backend);
}

void diagnose_identifier(ModelReport& report, const ExecuTorchReport& et) {
  if (et.kind == "data" || et.identifier == "ET12") return;
  add(report, "executorch-identifier-mismatch", Severity::Error,
      fmt::format("Its identifier is {}, but current ExecuTorch runtimes read only ET12: loading fails with "
                  "'Program identifier '{}' != expected 'ET12''.",
                  et.identifier, et.identifier),
      "Export the model again with the ExecuTorch release the app ships (or ship the runtime that wrote it).");
}

void diagnose_segments(ModelReport& report, const ExecuTorchReport& et) {
  for (size_t i = 0; i < et.segments.size(); ++i) {
    const EtSegment& segment = et.segments[i];
    if (segment.in_file) continue;
    add(report, "executorch-segment-out-of-bounds", Severity::Error,
        et.segment_base_offset
            ? fmt::format("Segment {} ({} bytes at offset {}) runs past the end of the file ({} bytes): the file is "
                          "truncated, and loading its data fails.",
                          i, segment.size, segment.offset, report.size_bytes)
            : fmt::format("Segment {} ({} bytes) cannot be found: the file has no extended header (eh00) saying "
                          "where segments begin.",
                          i, segment.size),
        "Copy the whole .pte again (its size must match the exported file), or export it again.");
    return;  // one is enough to say the file is cut short
  }
}

void diagnose_backends(ModelReport& report, const ExecuTorchReport& et) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> backends;  // calls, payload bytes
  for (const EtMethod& method : et.methods) {
    for (const EtDelegate& delegate : method.delegates) {
      auto& [calls, bytes] = backends[delegate.backend];
      calls += delegate.calls;
      bytes += delegate.payload_bytes;
    }
  }
  for (const auto& [backend, use] : backends) {
    add(report, "executorch-backend-not-linked", Severity::Warning,
        fmt::format("Its methods delegate to {} ({} calls, {} bytes of payload): unless the app links that backend, "
                    "loading fails with 'Backend {} is not registered.'",
                    backend, use.first, use.second, backend),
        fmt::format("In the app, {}, as a whole archive (-Wl,--whole-archive, or -force_load on Apple) so its "
                    "registration runs.",
                    backend_fix(backend)));
  }
}

std::string operator_namespace(const std::string& name) {
  size_t colons = name.find("::");
  return colons == std::string::npos ? "" : name.substr(0, colons);
}

void diagnose_operators(ModelReport& report, const ExecuTorchReport& et) {
  std::set<std::string> operators;
  std::set<std::string> extra_namespaces;
  for (const EtMethod& method : et.methods) {
    for (const EtOperator& op : method.operators) {
      operators.insert(op.full_name());
      std::string name_space = operator_namespace(op.name);
      // ExecuTorch's portable kernel library covers aten:: and dim_order_ops::.
      if (name_space != "aten" && name_space != "dim_order_ops") extra_namespaces.insert(name_space);
    }
  }
  if (operators.empty()) return;
  std::string libraries = extra_namespaces.empty()
                              ? "the portable kernels (portable_ops_lib) or the optimized ones"
                              : fmt::format("the portable kernels plus the libraries with the {} kernels",
                                            fmt::join(extra_namespaces, ", "));
  add(report, "executorch-missing-operator", extra_namespaces.empty() ? Severity::Info : Severity::Warning,
      fmt::format("Its methods call {} operators through the kernel registry ({}): each must be registered in the "
                  "app's runtime, else loading a method fails with 'Missing operator: [index] {}' (error 0x14, "
                  "OperatorMissing).",
                  operators.size(), fmt::join(operators, ", "), *operators.begin()),
      fmt::format("Link {}, or build a runtime with just these: `mtool inspect --selected-ops-yaml {} > "
                  "selected_operators.yaml`.",
                  libraries, report.path));
}

}  // namespace

void add_executorch_diagnoses(ModelReport& report) {
  if (!report.executorch) return;
  const ExecuTorchReport& et = *report.executorch;
  diagnose_identifier(report, et);
  diagnose_segments(report, et);
  diagnose_backends(report, et);
  diagnose_operators(report, et);
}

void add_executorch_external_data_diagnosis(ModelReport& report) {
  if (!report.executorch || !report.executorch->external_checked) return;
  std::vector<std::string> missing;
  uint64_t bytes = 0;
  for (const EtExternalTensor& tensor : report.executorch->external_tensors) {
    if (!tensor.found_in.empty()) continue;
    missing.push_back(tensor.key);
    bytes += tensor.bytes;
  }
  if (missing.empty()) return;
  add(report, "executorch-external-data-missing", Severity::Error,
      fmt::format("{} tensors ({} bytes) live outside the program and no .ptd file beside it holds them ({}): "
                  "loading fails unless the app passes the data file.",
                  missing.size(), bytes, fmt::join(missing, ", ")),
      "Ship the .ptd file written with the program (Module(\"model.pte\", \"model.ptd\")), beside it, or export "
      "without external constants.");
}

}  // namespace mtool
