// `mtool inspect --selected-ops-yaml`: the operator list a selective build
// reads, in the YAML its runtime's tools write.
#include <fmt/format.h>

#include "render.h"

namespace mtool::cli {

namespace {

// A YAML scalar, plain when PyYAML would write it plain, else single-quoted.
std::string yaml_scalar(const std::string& text) {
  bool plain = !text.empty() && text.find(": ") == std::string::npos && text.find(" #") == std::string::npos &&
               std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(text.front()) == std::string_view::npos &&
               text.back() != ' ' && text.back() != ':';
  for (char c : text) plain = plain && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// As `yaml.dump(torch.jit.export_opnames(module))`, the form PyTorch's
// build_android.sh / build_ios.sh take as SELECTED_OP_LIST.
std::string pytorch_mobile_yaml(const SelectedOperators& selected) {
  std::string out;
  for (const auto& [name, use] : selected.operators) out += fmt::format("- {}\n", yaml_scalar(name));
  return out;
}

// As ExecuTorch's codegen/tools/gen_oplist.py writes selected_operators.yaml
// (yaml.safe_dump: keys sorted), with the kernel keys of every call.
std::string executorch_yaml(const SelectedOperators& selected) {
  std::string out = "build_features: []\ncustom_classes: []\net_kernel_metadata:";
  bool any_keys = false;
  for (const auto& [name, use] : selected.operators) {
    if (use.kernel_keys.empty()) continue;
    any_keys = true;
    out += fmt::format("\n  {}:", yaml_scalar(name));
    for (const std::string& key : use.kernel_keys) out += fmt::format("\n  - {}", yaml_scalar(key));
  }
  out += any_keys ? "\n" : " {}\n";
  out += "include_all_non_op_selectives: false\ninclude_all_operators: false\nkernel_metadata: {}\noperators:";
  if (selected.operators.empty()) out += " {}";
  for (const auto& [name, use] : selected.operators) {
    out += fmt::format("\n  {}:\n    debug_info:", yaml_scalar(name));
    for (const std::string& source : use.sources) out += fmt::format("\n    - {}", yaml_scalar(source));
    out += "\n    include_all_overloads: false\n    is_root_operator: true\n    is_used_for_training: true";
  }
  return out + "\n";
}

}  // namespace

std::string render_selected_ops_yaml(const SelectedOperators& selected) {
  return selected.runtime == SelectiveBuildRuntime::ExecuTorch ? executorch_yaml(selected)
                                                                : pytorch_mobile_yaml(selected);
}

}  // namespace mtool::cli
