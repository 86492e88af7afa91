#include "runtime_call.h"

#include <memory>

#include "io/error.h"
#include "runtime_loader.h"

namespace mtool::cli {

nlohmann::json call_runtime(const std::string& command, const nlohmann::json& request) {
  const MtoolRuntimeApi& api = runtime_api();
  std::unique_ptr<char, void (*)(char*)> answer(api.run_json(command.c_str(), request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str()), api.free_text);
  nlohmann::json parsed = nlohmann::json::parse(answer.get());
  if (parsed.contains("error") && parsed["error"].is_string()) {
    throw Error(ErrorKind::Format, parsed["error"].get<std::string>());
  }
  return parsed;
}

}  // namespace mtool::cli
