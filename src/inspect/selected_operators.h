#pragma once
// The operators a selective build of the app's runtime must keep, gathered
// from one or more inspected models (the union). Two runtimes read such lists:
// PyTorch Mobile's custom build (SELECTED_OP_LIST, the list
// torch.jit.export_opnames gives) and ExecuTorch's selective build
// (selected_operators.yaml with kernel keys, as codegen/tools/gen_oplist.py
// writes it). Models of the two runtimes cannot share one list.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "inspect/model_report.h"

namespace mtool {

enum class SelectiveBuildRuntime { None, PyTorchMobile, ExecuTorch };

struct SelectedOperators {
  SelectiveBuildRuntime runtime = SelectiveBuildRuntime::None;
  struct Use {
    std::set<std::string> kernel_keys;  // ExecuTorch: the kernel keys its calls need
    std::vector<std::string> sources;   // the models that call it, in order
  };
  // By operator name with overload ("aten::add.Tensor", "aten::add.out").
  std::map<std::string, Use> operators;
};

// Adds the operators of `report`. Throws Error (Usage) with a sentence when
// the file has no list a selective build can use.
void add_selected_operators(const ModelReport& report, SelectedOperators& selected);

}  // namespace mtool
