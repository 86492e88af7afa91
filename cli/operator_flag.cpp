#include "operator_flag.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fmt/format.h>
#include <set>

#include "planning/operator_libraries.h"
#include "runtime_call.h"
#include "terminal.h"

namespace mtool::cli {

void add_load_ops_option(CLI::App& command, std::vector<std::string>& libraries) {
  command
      .add_option("--load-ops", libraries,
                  "Shared library of custom operators to load first, as torch.ops.load_library does (repeatable; "
                  "torchvision's is loaded by itself when a model calls torchvision:: operators)")
      ->type_name("LIB.so")
      ->allow_extra_args(false);
}

namespace {

// Each said once, however many models (inspect takes several files) ask for the same library.
void note_once(const std::string& text) {
  static std::set<std::string> said;
  if (said.insert(text).second) std::fprintf(stderr, "mtool: note: %s\n", text.c_str());
}

}  // namespace

void load_operator_libraries(const std::vector<std::string>& given, const std::vector<const ModelReport*>& models) {
  OperatorLibraries plan = plan_operator_libraries(given, models, find_torchvision_operators());
  if (plan.given.empty() && plan.needs_torchvision.empty()) return;
  if (!plan.needs_torchvision.empty() && !plan.torchvision && plan.given.empty()) {
    note_once(
        fmt::format("{} calls torchvision operators, and torchvision's operator library is absent ({}/_C*.so: "
                    "apt install python3-torchvision, or pass --load-ops LIB.so)",
                    escaped_name(plan.needs_torchvision.front()), kTorchvisionFolder));
  }
  nlohmann::json request = {{"libraries", plan.given}};
  if (plan.torchvision) request["torchvision"] = *plan.torchvision;
  nlohmann::json answer = call_runtime("load_ops", request);
  for (const std::string& path : plan.given) {
    note_once(fmt::format("loaded custom operators from {}", escaped_name(path)));
  }
  std::string torchvision = answer.value("torchvision", "none");
  if (torchvision == "loaded") {
    note_once(fmt::format("loaded torchvision's operators from {}", escaped_name(*plan.torchvision)));
  } else if (torchvision == "not registered") {
    note_once(fmt::format("{} did not register torchvision's operators", escaped_name(*plan.torchvision)));
  }
}

}  // namespace mtool::cli
