#include "planning/operator_libraries.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "io/error.h"

namespace mtool {

namespace {

bool calls_torchvision(const ModelReport& report) {
  return std::any_of(report.operators.begin(), report.operators.end(),
                     [](const OperatorUse& use) { return use.name.starts_with("torchvision::"); });
}

}  // namespace

std::optional<std::string> find_torchvision_operators(const std::string& folder) {
  if (const char* chosen = std::getenv("MTOOL_TORCHVISION_OPS")) {
    if (*chosen == '\0') return std::nullopt;
    return std::string(chosen);
  }
  std::error_code error;
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    std::string name = entry.path().filename().string();
    // _C.so (a build of torchvision's own) or _C.cpython-311-x86_64-linux-gnu.so (Debian's).
    if (name.starts_with("_C.") && name.ends_with(".so") && entry.is_regular_file(error))
      found.push_back(entry.path().string());
  }
  if (found.empty()) return std::nullopt;
  std::sort(found.begin(), found.end());
  return found.front();
}

OperatorLibraries plan_operator_libraries(const std::vector<std::string>& given,
                                          const std::vector<const ModelReport*>& models,
                                          const std::optional<std::string>& torchvision) {
  OperatorLibraries plan;
  for (const std::string& path : given) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw Error(ErrorKind::Usage,
                  fmt::format("--load-ops {}: {}", path,
                              std::filesystem::exists(path, error) ? "not a regular file" : "no such file"));
    }
    plan.given.push_back(path);
  }
  for (const ModelReport* model : models) {
    if (model != nullptr && calls_torchvision(*model)) plan.needs_torchvision.push_back(model->path);
  }
  if (!plan.needs_torchvision.empty()) plan.torchvision = torchvision;
  return plan;
}

}  // namespace mtool
