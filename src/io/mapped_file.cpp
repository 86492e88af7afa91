#include "io/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"

namespace mtool {

namespace {
[[noreturn]] void fail_io(const char* what) {
  throw Error(ErrorKind::Io, fmt::format("{}: {}", what, std::strerror(errno)));
}

// Closes the descriptor on every path out of the constructor.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// /proc and /sys files report size 0 and yet have content: mapping them
// would read nothing and call a full file empty.
bool has_unreported_content(int fd) {
  char byte = 0;
  return ::pread(fd, &byte, 1, 0) == 1;
}
}  // namespace

std::string special_file_reason(unsigned mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

std::string unreadable_special_file(unsigned mode) {
  if (S_ISDIR(mode)) return "is a directory, not a model file";
  return special_file_reason(mode) + ", not a regular file; mtool reads files, so copy it to one first";
}

std::string unreadable_special_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "";
  return S_ISREG(info.st_mode) ? "" : unreadable_special_file(info.st_mode);
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

MappedFile::MappedFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
  // forever; for a regular file it changes nothing.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) fail_io("cannot open");
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) fail_io("cannot stat");
  if (!S_ISREG(info.st_mode)) throw Error(ErrorKind::Io, unreadable_special_file(info.st_mode));
  size_ = static_cast<size_t>(info.st_size);
  if (size_ == 0 && has_unreported_content(file.fd)) {
    throw Error(ErrorKind::Io, "reports a size of 0 but has content (a /proc or /sys file), not a regular file; "
                               "mtool reads files, so copy it to one first");
  }
  if (size_ > 0) {
    // Mapping, not reading: inspect touches only the pages it parses, so a
    // 1 GiB archive costs a few pages of I/O.
    data_ = platform::map_read_only(file.fd, size_);
    if (data_ == nullptr) {
      fail_io("cannot map");
    }
  }
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) platform::unmap(data_, size_);
}

}  // namespace mtool
