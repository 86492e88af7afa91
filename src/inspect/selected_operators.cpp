#include "inspect/selected_operators.h"

#include <fmt/format.h>

#include "io/error.h"

namespace mtool {

namespace {

SelectiveBuildRuntime runtime_of(const ModelReport& report) {
  if (report.executorch && report.executorch->kind != "data" && report.executorch->identifier == "ET12") {
    return SelectiveBuildRuntime::ExecuTorch;
  }
  // The bytecode's operator table is what _load_for_mobile looks up; the
  // TorchScript code alone names operators without resolving overloads.
  if (report.operators_source == "bytecode") return SelectiveBuildRuntime::PyTorchMobile;
  return SelectiveBuildRuntime::None;
}

std::string why_not(const ModelReport& report) {
  switch (report.format) {
    case ModelFormat::TorchScript:
      return "a TorchScript archive has no bytecode, so its operators' overloads are not known without compiling it; "
             "save it for the lite interpreter (`mtool convert`) and list that, or use torch.jit.export_opnames";
    case ModelFormat::LiteFlatbuffer: return "its flatbuffer holds no function with an operator table";
    case ModelFormat::TfLite: return "TFLite models are not built selectively from an operator list of this kind";
    case ModelFormat::ExecuTorch: return "it is not an ET12 program";
    default: return fmt::format("it is {}, not a model a selective build lists", report.description);
  }
}

}  // namespace

void add_selected_operators(const ModelReport& report, SelectedOperators& selected) {
  SelectiveBuildRuntime runtime = runtime_of(report);
  if (runtime == SelectiveBuildRuntime::None) {
    throw Error(ErrorKind::Usage, fmt::format("no operator list for a selective build: {}", why_not(report)));
  }
  if (selected.runtime != SelectiveBuildRuntime::None && selected.runtime != runtime) {
    throw Error(ErrorKind::Usage, "ExecuTorch programs and PyTorch Mobile models need separate operator lists; "
                                  "list each runtime's models in its own run");
  }
  selected.runtime = runtime;
  auto use = [&](const std::string& name) -> SelectedOperators::Use& {
    SelectedOperators::Use& entry = selected.operators[name];
    if (entry.sources.empty() || entry.sources.back() != report.path) entry.sources.push_back(report.path);
    return entry;
  };
  if (runtime == SelectiveBuildRuntime::PyTorchMobile) {
    for (const OperatorUse& op : report.operators) use(op.full_name());
    return;
  }
  for (const EtMethod& method : report.executorch->methods) {
    for (const EtOperator& op : method.operators) use(op.full_name()).kernel_keys.insert(op.kernel_keys.begin(), op.kernel_keys.end());
  }
}

}  // namespace mtool
