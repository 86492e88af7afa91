#pragma once
// The C interface of libmtool_runtime.so, the part of mtool that links
// LibTorch. The mtool binary opens it with dlopen on first use, so commands
// that need no model runtime never pay LibTorch's start-up (~0.3 s, ~160 MB).
// Requests and answers cross it as JSON text, so it stays a C interface while
// commands grow.
#include <cstddef>

extern "C" {

constexpr int kMtoolRuntimeAbiVersion = 3;

enum MtoolLoader {
  kMtoolLoaderJit = 0,     // torch::jit::load
  kMtoolLoaderMobile = 1,  // torch::jit::_load_for_mobile
};

struct MtoolRuntimeApi {
  int abi_version;
  const char* (*libtorch_version)();
  // Loads the model at `path` with `loader`. Returns 1 on success; on failure
  // returns 0 and writes the first line of LibTorch's error to `error`.
  int (*try_load)(const char* path, int loader, char* error, size_t error_size);
  // Runs `command` ("bench", "backport", "convert", "compare", "load_ops") on a JSON request; returns a JSON answer
  // that the caller releases with free_text. An answer {"error": "..."} reports failure.
  char* (*run_json)(const char* command, const char* request);
  void (*free_text)(char* text);
  // Like run_json for commands that report as they go ("score"): each event
  // is passed to `emit` as one JSON text, valid only during the call.
  char* (*run_streaming)(const char* command, const char* request, void (*emit)(const char* event, void* context),
                         void* context);
};

// The one exported symbol.
const MtoolRuntimeApi* mtool_runtime_api();
}
