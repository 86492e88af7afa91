#pragma once
// Everything mtool asks of the operating system that differs between Linux
// and macOS, in one place: peak memory, mapping a file, where the running
// binary is, and loading a shared library (.so or .dylib). The rest of the
// code calls only these and standard C++.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mtool::platform {

// Peak resident memory of this process in bytes (Linux: VmHWM; macOS: getrusage).
uint64_t peak_rss_bytes();

// Resets that peak, so a later peak_rss_bytes() covers only what follows (Linux 4.0+).
// False where the system cannot (macOS).
bool reset_peak_rss();

// Makes the memory a measurement sees independent of what ran before it. glibc's malloc raises its
// mmap threshold after the first large block is freed, so the tensors of every later model come from a
// heap that keeps what is freed: the same model measured second added 0.17x the memory of the first.
// This fixes the threshold (large blocks are mapped, and unmapped when freed) and returns freed heap
// memory to the system. Nothing where malloc is not glibc's.
void settle_allocator();

// A read-only private mapping of `size` bytes of an open file; nullptr with errno set on failure.
void* map_read_only(int fd, size_t size);
void unmap(void* data, size_t size);

// The running executable's path, symlinks resolved; nothing when the system does not say.
std::optional<std::string> executable_path();

// "mtool_runtime" -> "libmtool_runtime.so" (Linux) or "libmtool_runtime.dylib" (macOS).
std::string shared_library_file(const std::string& stem);

// dlopen/dlsym with the error text: nullptr and `error` set when it fails.
void* open_library(const std::string& path, std::string& error);
void* library_symbol(void* library, const char* name);

}  // namespace mtool::platform
