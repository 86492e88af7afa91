#include "io/atomic_output.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/error.h"

namespace mtool {

namespace {

// Paths to remove if the process is interrupted. Fixed slots: the signal
// handler may only read plain memory and call unlink().
constexpr size_t kSlots = 16;
std::array<std::array<char, 4096>, kSlots> pending_paths{};
std::array<std::atomic<bool>, kSlots> pending_used{};

void on_signal(int signal_number) {
  for (size_t i = 0; i < kSlots; ++i) {
    if (pending_used[i].load()) ::unlink(pending_paths[i].data());
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void install_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);
}

void remember(const std::string& path) {
  install_handlers();
  for (size_t i = 0; i < kSlots; ++i) {
    if (pending_used[i].load() || path.size() >= pending_paths[i].size()) continue;
    std::memcpy(pending_paths[i].data(), path.c_str(), path.size() + 1);
    pending_used[i].store(true);
    return;
  }
}

void forget(const std::string& path) {
  for (size_t i = 0; i < kSlots; ++i) {
    if (pending_used[i].load() && path == pending_paths[i].data()) pending_used[i].store(false);
  }
}

// An empty, exclusive file ".<name>.mtool-XXXXXX" in the folder of `beside`.
std::string create_temp(const std::string& beside) {
  std::filesystem::path target(beside);
  std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  std::string pattern = (folder / ("." + target.filename().string() + ".mtool-XXXXXX")).string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw Error(ErrorKind::Io, fmt::format("cannot create a file in {}: {}", folder.string(), std::strerror(errno)));
  // mkstemp makes 0600 files; the result should get the usual 0666 & ~umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  remember(pattern);
  return pattern;
}

}  // namespace

AtomicOutput::AtomicOutput(const std::string& path, bool overwrite) : path_(path) {
  if (!overwrite && std::filesystem::exists(path)) {
    throw Error(ErrorKind::Usage, fmt::format("{} exists; pass --force to replace it", path));
  }
  temp_ = create_temp(path);
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    ::unlink(temp_.c_str());
    forget(temp_);
  }
}

void AtomicOutput::commit() {
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    throw Error(ErrorKind::Io, fmt::format("cannot move the result to {}: {}", path_, std::strerror(errno)));
  }
  committed_ = true;
  forget(temp_);
}

TempFile::TempFile(const std::string& beside) : path_(create_temp(beside)) {}

TempFile::~TempFile() {
  ::unlink(path_.c_str());
  forget(path_);
}

}  // namespace mtool
