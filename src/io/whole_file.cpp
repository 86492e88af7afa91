#include "io/whole_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>

#include "io/error.h"

namespace mtool {

void write_whole_file(const std::string& path, std::string_view bytes) {
  auto fail = [&] { return Error(ErrorKind::Io, fmt::format("cannot write {}: {}", path, std::strerror(errno))); };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!out) throw fail();
  if (std::fwrite(bytes.data(), 1, bytes.size(), out.get()) != bytes.size() || std::fflush(out.get()) != 0)
    throw fail();
  // fclose reports what the last flush could not (NFS, a quota reached).
  if (std::fclose(out.release()) != 0) throw fail();
}

}  // namespace mtool
