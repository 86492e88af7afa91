#include "io/atomic_output.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/error.h"
#include "io/mapped_file.h"

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

constexpr const char* kTempMarker = ".mtool-";

// The process id in a temporary's name ".NAME.mtool-PID-XXXXXX", or 0.
pid_t temp_owner(const std::string& name) {
  size_t marker = name.rfind(kTempMarker);
  if (name.empty() || name[0] != '.' || marker == std::string::npos) return 0;
  size_t digits = marker + std::strlen(kTempMarker);
  size_t dash = name.find('-', digits);
  if (dash == std::string::npos || dash == digits || dash > digits + 9 || name.size() != dash + 7) return 0;
  pid_t pid = 0;
  for (size_t i = digits; i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

bool process_gone(pid_t pid) { return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH; }

// An empty, exclusive file ".<name>.mtool-<pid>-XXXXXX" in the folder of `beside`.
std::string create_temp(const std::string& beside) {
  std::filesystem::path target(beside);
  std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  remove_stale_temporaries(folder.string());
  std::string name = fmt::format(".{}{}{}-XXXXXX", target.filename().string(), kTempMarker, ::getpid());
  std::string pattern = (folder / name).string();
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

// Copies `from` over the content of `to` (same inode: its hard links, mode
// and owner stay). Not atomic; hence only for files with other links.
void copy_over(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  out.flush();
  if (!in || !out) {
    throw Error(ErrorKind::Io, fmt::format("cannot rewrite {} in place: {}; the complete new file is kept at {}", to,
                                           std::strerror(errno), from));
  }
}

}  // namespace

int remove_stale_temporaries(const std::string& folder) {
  int removed = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    pid_t owner = temp_owner(name);
    struct stat info {};
    if (owner <= 0 || !process_gone(owner) || ::lstat(it->path().c_str(), &info) != 0) continue;
    if (S_ISREG(info.st_mode) && info.st_uid == ::geteuid() && ::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

AtomicOutput::AtomicOutput(const std::string& path, ExistingOutput existing) : path_(path) {
  struct stat info {};
  bool exists = ::stat(path.c_str(), &info) == 0;  // through symlinks: what would be replaced
  if (exists && !S_ISREG(info.st_mode)) {
    throw Error(ErrorKind::Usage, fmt::format("{} {}; mtool replaces only regular files, even with --force: "
                                              "choose another output", path, special_file_reason(info.st_mode)));
  }
  struct stat link {};
  if (existing == ExistingOutput::Refuse && (exists || ::lstat(path.c_str(), &link) == 0)) {
    throw Error(ErrorKind::Usage, fmt::format("{} exists; pass --force to replace it", path));
  }
  bool update = existing == ExistingOutput::Update && exists;
  if (update) path_ = std::filesystem::canonical(path).string();
  temp_ = create_temp(path_);
  if (!update) return;
  // The rewritten file keeps what the user set on the old one. When the owner
  // cannot be given back (not root) or other names share the inode, the new
  // bytes are copied over the old file instead of renamed over its name.
  ::chmod(temp_.c_str(), info.st_mode & 07777);
  bool owner_kept = ::chown(temp_.c_str(), info.st_uid, info.st_gid) == 0;
  in_place_ = info.st_nlink > 1 || !owner_kept;
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    ::unlink(temp_.c_str());
    forget(temp_);
  }
}

void AtomicOutput::commit() {
  if (in_place_) {
    committed_ = true;  // on failure the temporary is kept: it is the only whole copy
    forget(temp_);
    copy_over(temp_, path_);
    ::unlink(temp_.c_str());
    return;
  }
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
