#include "run/operator_loader.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <fmt/format.h>

#include "io/error.h"
#include "platform/platform.h"

namespace mtool {

namespace {

void open_operators(const std::string& path, const char* flag) {
  // Opening the same file twice is harmless (dlopen hands back the first handle); these are kept open for good.
  std::string error;
  void* library = nullptr;
  try {
    library = platform::open_library(path, error);
  } catch (const std::exception& thrown) {  // a registration that failed while the library initialised
    error = thrown.what();
  }
  if (library == nullptr) throw Error(ErrorKind::Io, fmt::format("{} {}: cannot load it: {}", flag, path, error));
}

bool torchvision_registered() { return c10::Dispatcher::singleton().findSchema({"torchvision::nms", ""}).has_value(); }

}  // namespace

nlohmann::json run_load_ops(const nlohmann::json& request) {
  nlohmann::json loaded = nlohmann::json::array();
  for (const auto& path : request.value("libraries", nlohmann::json::array())) {
    open_operators(path.get<std::string>(), "--load-ops");
    loaded.push_back(path);
  }
  std::string torchvision = "none";
  if (request.contains("torchvision") && request["torchvision"].is_string()) {
    if (torchvision_registered()) {
      torchvision = "registered";
    } else {
      open_operators(request["torchvision"].get<std::string>(), "torchvision's operators");
      torchvision = torchvision_registered() ? "loaded" : "not registered";
    }
  }
  return {{"loaded", loaded}, {"torchvision", torchvision}};
}

}  // namespace mtool
