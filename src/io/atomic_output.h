#pragma once
// Files that appear whole or not at all: written to a temporary file in the
// destination folder and renamed into place only when everything succeeded.
// Temporaries are removed on failure, on exceptions, and on SIGINT/SIGTERM;
// one left by a run that was killed outright (SIGKILL, power loss) carries
// its process id in its name, and the next run writing to that folder
// removes it once that process is gone.
#include <cstdio>
#include <string>

namespace mtool {

// What to do when the output already exists. Whatever the choice, an existing
// output that is not a regular file (a device, a FIFO) is refused: replacing
// /dev/full or a pipe with a zip is never what was asked.
enum class ExistingOutput {
  Refuse,   // Error(Usage): "pass --force"
  Replace,  // --force: the new file takes the name's place
  Update,   // the file is the input, rewritten: through symlinks, keeping its
            // mode, owner and hard links
};

class AtomicOutput {
 public:
  AtomicOutput(const std::string& path, ExistingOutput existing);
  // Refuses (Error(Usage)) when `path` exists and `overwrite` is false.
  AtomicOutput(const std::string& path, bool overwrite)
      : AtomicOutput(path, overwrite ? ExistingOutput::Replace : ExistingOutput::Refuse) {}
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_; }
  // Renames the temporary over `path` (or, for a file with other hard links,
  // copies it over the file's content so every link sees the new bytes).
  void commit();

 private:
  std::string path_;
  std::string temp_;
  bool in_place_ = false;
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

// Removes temporaries ".NAME.mtool-PID-XXXXXX" in `folder` whose process is
// gone; returns how many. Called by every temporary's creation.
int remove_stale_temporaries(const std::string& folder);

}  // namespace mtool
