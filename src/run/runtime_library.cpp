// libmtool_runtime.so: LibTorch-using code behind a C interface (runtime_api.h).
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/script.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/version.h>

#include "io/error.h"
#include "io/error_kind_name.h"
#include "io/json_text.h"
#include "run/backport_runner.h"
#include "run/bench_runner.h"
#include "run/convert_runner.h"
#include "run/model_runner.h"
#include "run/operator_loader.h"
#include "run/runtime_api.h"
#include "run/score_runner.h"

namespace {

// LibTorch's messages carry source excerpts and a C++ backtrace; people need
// the one line that says what went wrong (mtool::first_line).
void copy_first_line(const char* message, char* out, size_t out_size) {
  if (out == nullptr || out_size == 0) return;
  std::string text = mtool::first_line(message);
  std::strncpy(out, text.c_str(), out_size - 1);
  out[out_size - 1] = '\0';
}

const char* libtorch_version() { return TORCH_VERSION; }

int try_load(const char* path, int loader, char* error, size_t error_size) {
  try {
    if (loader == kMtoolLoaderMobile) {
      torch::jit::_load_for_mobile(path);
    } else {
      torch::jit::load(path);
    }
    return 1;
  } catch (const c10::Error& e) {
    copy_first_line(e.what_without_backtrace(), error, error_size);
  } catch (const std::exception& e) {
    copy_first_line(e.what(), error, error_size);
  }
  return 0;
}

char* copy_text(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

// LibTorch's TORCH_WARN messages (deprecations, "reduce_range will be deprecated", "torch.meshgrid:
// in an upcoming release") are about its own internals, nothing a user of mtool can act on, and by
// default they go through glog to stderr, turning mtool's one error line into three. Dropped.
class QuietWarnings : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation& /*where*/, const std::string& /*message*/, bool /*verbatim*/) override {}
};

void quiet_libtorch_warnings() {
  static QuietWarnings quiet;
  c10::Warning::set_warning_handler(&quiet);
}

// Runs `body`, turning any exception into an answer {"error": first line}.
template <typename Body>
char* answer_of(Body body) {
  quiet_libtorch_warnings();
  nlohmann::json answer;
  try {
    answer = body();
  } catch (const mtool::Error& e) {
    // Errors keep their kind across the library boundary: usage and I/O exit 2.
    answer = {{"error", mtool::first_line(e.what())}, {"kind", mtool::error_kind_name(e.kind())}};
  } catch (const c10::Error& e) {
    char line[1024];
    copy_first_line(e.what_without_backtrace(), line, sizeof line);
    answer = {{"error", line}};
  } catch (const std::exception& e) {
    answer = {{"error", mtool::first_line(e.what())}};
  }
  return copy_text(mtool::json_text(answer));
}

char* run_streaming(const char* command, const char* request, void (*emit)(const char* event, void* context),
                    void* context) {
  return answer_of([&]() -> nlohmann::json {
    auto forward = [&](const nlohmann::json& event) { emit(mtool::json_text(event).c_str(), context); };
    std::string name(command);
    if (name == "bench") return mtool::run_bench(nlohmann::json::parse(request), forward);
    if (name != "score") return {{"error", std::string("unknown streaming command ") + command}};
    mtool::run_score(nlohmann::json::parse(request), forward);
    return nlohmann::json::object();
  });
}

char* run_json(const char* command, const char* request) {
  return answer_of([&]() -> nlohmann::json {
    nlohmann::json parsed = nlohmann::json::parse(request);
    std::string name(command);
    if (name == "bench") return mtool::run_bench(parsed);
    if (name == "backport") return mtool::run_backport(parsed);
    if (name == "convert") return mtool::run_convert(parsed);
    if (name == "compare") return mtool::run_compare(parsed);
    if (name == "output") return mtool::run_output(parsed);
    if (name == "load_ops") return mtool::run_load_ops(parsed);
    return {{"error", std::string("unknown runtime command ") + command}};
  });
}

void free_text(char* text) { std::free(text); }

const MtoolRuntimeApi kApi{kMtoolRuntimeAbiVersion, libtorch_version, try_load, run_json, free_text, run_streaming};

}  // namespace

extern "C" __attribute__((visibility("default"))) const MtoolRuntimeApi* mtool_runtime_api() { return &kApi; }
