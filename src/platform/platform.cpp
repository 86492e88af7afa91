#include "platform/platform.h"

#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <sys/mman.h>
#include <sys/resource.h>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mtool::platform {

uint64_t peak_rss_bytes() {
#if defined(__linux__)
  // VmHWM, unlike getrusage, follows reset_peak_rss().
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
#else
  struct rusage usage {};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_maxrss);  // bytes on macOS
#endif
}

bool reset_peak_rss() {
#if defined(__linux__)
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear);
#else
  return false;
#endif
}

void settle_allocator() {
#if defined(__GLIBC__)
  // Setting the threshold also stops glibc from raising it after the first large free.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  malloc_trim(0);
#endif
}

void* map_read_only(int fd, size_t size) {
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  return data == MAP_FAILED ? nullptr : data;
}

void unmap(void* data, size_t size) { ::munmap(data, size); }

std::optional<std::string> executable_path() {
  std::error_code error;
#if defined(__APPLE__)
  uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);
  std::string path(size, '\0');
  if (_NSGetExecutablePath(path.data(), &size) != 0) return std::nullopt;
  path.resize(path.find('\0'));
  std::filesystem::path resolved = std::filesystem::canonical(path, error);
#else
  std::filesystem::path resolved = std::filesystem::read_symlink("/proc/self/exe", error);
#endif
  if (error) return std::nullopt;
  return resolved.string();
}

std::string shared_library_file(const std::string& stem) {
#if defined(__APPLE__)
  return "lib" + stem + ".dylib";
#else
  return "lib" + stem + ".so";
#endif
}

void* open_library(const std::string& path, std::string& error) {
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) error = ::dlerror();
  return library;
}

void* library_symbol(void* library, const char* name) { return ::dlsym(library, name); }

}  // namespace mtool::platform
