#include "runtime_loader.h"

#include <filesystem>
#include <fmt/format.h>
#include <vector>

#include "io/error.h"
#include "platform/platform.h"

namespace mtool::cli {

namespace {

const std::string kLibraryName = platform::shared_library_file("mtool_runtime");

// Beside the binary (build tree) or in its install tree (bin/../lib/mtool).
std::vector<std::filesystem::path> candidate_paths() {
  std::optional<std::string> self_path = platform::executable_path();
  std::vector<std::filesystem::path> paths;
  if (const char* override_path = std::getenv("MTOOL_RUNTIME_LIBRARY")) paths.emplace_back(override_path);
  if (self_path) {
    std::filesystem::path self(*self_path);
    paths.push_back(self.parent_path() / kLibraryName);
    paths.push_back(self.parent_path().parent_path() / "lib" / "mtool" / kLibraryName);
  }
  return paths;
}

const MtoolRuntimeApi* open_runtime() {
  std::vector<std::string> tried;
  for (const auto& path : candidate_paths()) {
    if (!std::filesystem::exists(path)) {
      tried.push_back(path.string());
      continue;
    }
    std::string error;
    void* handle = platform::open_library(path.string(), error);
    if (handle == nullptr) throw Error(ErrorKind::Io, fmt::format("cannot load {}: {}", path.string(), error));
    auto entry = reinterpret_cast<const MtoolRuntimeApi* (*)()>(platform::library_symbol(handle, "mtool_runtime_api"));
    const MtoolRuntimeApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->abi_version != kMtoolRuntimeAbiVersion) {
      throw Error(ErrorKind::Io, fmt::format("{} does not belong to this mtool (interface mismatch)", path.string()));
    }
    return api;
  }
  throw Error(ErrorKind::Io, fmt::format("the LibTorch runtime library {} was not found (looked in: {}); install "
                                         "mtool with `cmake --install build --prefix DIR` (DIR/bin/mtool and "
                                         "DIR/lib/mtool/{}), copy it beside the binary, or set MTOOL_RUNTIME_LIBRARY",
                                         kLibraryName, fmt::join(tried, ", "), kLibraryName));
}

}  // namespace

const MtoolRuntimeApi& runtime_api() {
  static const MtoolRuntimeApi* api = open_runtime();
  return *api;
}

}  // namespace mtool::cli
