#include "runtime_loader.h"

#include <dlfcn.h>
#include <filesystem>
#include <fmt/format.h>
#include <vector>

#include "io/error.h"

namespace mtool::cli {

namespace {

constexpr const char* kLibraryName = "libmtool_runtime.so";

// Beside the binary (build tree) or in its install tree (bin/../lib/mtool).
std::vector<std::filesystem::path> candidate_paths() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  std::vector<std::filesystem::path> paths;
  if (const char* override_path = std::getenv("MTOOL_RUNTIME_LIBRARY")) paths.emplace_back(override_path);
  if (!error) {
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
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw Error(ErrorKind::Io, fmt::format("cannot load {}: {}", path.string(), ::dlerror()));
    auto entry = reinterpret_cast<const MtoolRuntimeApi* (*)()>(::dlsym(handle, "mtool_runtime_api"));
    const MtoolRuntimeApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->abi_version != kMtoolRuntimeAbiVersion) {
      throw Error(ErrorKind::Io, fmt::format("{} does not belong to this mtool (interface mismatch)", path.string()));
    }
    return api;
  }
  throw Error(ErrorKind::Io, fmt::format("the LibTorch runtime library {} was not found (looked in: {})", kLibraryName,
                                         fmt::join(tried, ", ")));
}

}  // namespace

const MtoolRuntimeApi& runtime_api() {
  static const MtoolRuntimeApi* api = open_runtime();
  return *api;
}

}  // namespace mtool::cli
