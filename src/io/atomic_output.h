#pragma once
// Files that appear whole or not at all: written to a temporary file in the
// destination folder and renamed into place only when everything succeeded.
// Temporaries are removed on failure, on exceptions, and on SIGINT/SIGTERM.
#include <cstdio>
#include <string>

namespace mtool {

class AtomicOutput {
 public:
  // Refuses (Error(Usage)) when `path` exists and `overwrite` is false.
  AtomicOutput(const std::string& path, bool overwrite);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_; }
  // Renames the temporary over `path`.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  bool committed_ = false;
};

// A scratch file beside `path` that is removed when the returned object goes
// away (or the process is interrupted).
class TempFile {
 public:
  explicit TempFile(const std::string& beside);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mtool
