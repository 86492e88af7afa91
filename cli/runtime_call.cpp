#include "runtime_call.h"

#include <fmt/format.h>
#include <memory>

#include "io/error.h"
#include "io/error_kind_name.h"
#include "io/json_text.h"
#include "io/quoting.h"
#include "runtime_loader.h"

namespace mtool::cli {

namespace {
// An answer {"error": ..., "kind": "usage"|"io"|"format"} from the runtime
// library, as the exception the CLI's one error printer handles. LibTorch's
// own errors carry no kind: they are the model's (format).
void throw_if_error(const nlohmann::json& answer) {
  if (!answer.contains("error") || !answer["error"].is_string()) return;
  std::string kind = answer.contains("kind") && answer["kind"].is_string() ? answer["kind"].get<std::string>() : "";
  ErrorKind parsed = ErrorKind::Format;
  for (ErrorKind candidate : {ErrorKind::Usage, ErrorKind::Io}) {
    if (kind == error_kind_name(candidate)) parsed = candidate;
  }
  throw Error(parsed, answer["error"].get<std::string>());
}

// The error of a call about one model, as "PATH: LibTorch's line"; a missing custom operator points to
// inspect's diagnosis and its fix.
Error about_model(const Error& error, const std::string& about) {
  std::string message = error.what();
  if (message.find("Unknown builtin op:") != std::string::npos) {
    message += fmt::format(
        " It is a custom operator; `mtool inspect {}` says which library registers it, and "
        "--load-ops LIB.so loads that library.",
        shell_quote(about));
  }
  if (!message.starts_with(about + ": ")) message = about + ": " + message;
  return Error(error.kind(), message);
}

// The runtime's answer, or its error as an Error (about the model when `about` names one).
nlohmann::json checked_answer(const char* answer, const std::string& about) {
  nlohmann::json parsed = nlohmann::json::parse(answer);
  try {
    throw_if_error(parsed);
  } catch (const Error& error) {
    if (about.empty()) throw;
    throw about_model(error, about);
  }
  return parsed;
}

}  // namespace

nlohmann::json call_runtime(const std::string& command, const nlohmann::json& request, const std::string& about) {
  const MtoolRuntimeApi& api = runtime_api();
  std::unique_ptr<char, void (*)(char*)> answer(api.run_json(command.c_str(), json_text(request).c_str()),
                                                api.free_text);
  return checked_answer(answer.get(), about);
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

nlohmann::json stream_runtime(const std::string& command, const nlohmann::json& request,
                              const std::function<void(const nlohmann::json&)>& on_event, const std::string& about) {
  const MtoolRuntimeApi& api = runtime_api();
  StreamContext context{&on_event, nullptr};
  std::string text = json_text(request);
  std::unique_ptr<char, void (*)(char*)> answer(api.run_streaming(command.c_str(), text.c_str(), forward_event, &context),
                                                api.free_text);
  if (context.failure) std::rethrow_exception(context.failure);
  return checked_answer(answer.get(), about);
}

}  // namespace mtool::cli
