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

namespace {

struct StreamContext {
  const std::function<void(const nlohmann::json&)>* on_event;
  std::exception_ptr failure;  // exceptions must not cross the C interface
};

void forward_event(const char* event, void* context) {
  auto* stream = static_cast<StreamContext*>(context);
  if (stream->failure) return;
  try {
    (*stream->on_event)(nlohmann::json::parse(event));
  } catch (...) {
    stream->failure = std::current_exception();
  }
}

}  // namespace

void stream_runtime(const std::string& command, const nlohmann::json& request,
                    const std::function<void(const nlohmann::json&)>& on_event) {
  const MtoolRuntimeApi& api = runtime_api();
  StreamContext context{&on_event, nullptr};
  std::string text = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::unique_ptr<char, void (*)(char*)> answer(api.run_streaming(command.c_str(), text.c_str(), forward_event, &context),
                                                api.free_text);
  if (context.failure) std::rethrow_exception(context.failure);
  nlohmann::json parsed = nlohmann::json::parse(answer.get());
  if (parsed.contains("error") && parsed["error"].is_string()) {
    throw Error(ErrorKind::Format, parsed["error"].get<std::string>());
  }
}

}  // namespace mtool::cli
