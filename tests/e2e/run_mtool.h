#pragma once
// Runs the real mtool binary and captures what it prints and how it exits.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mtool::test {

struct RunResult {
  int exit_code = -1;
  int signal = 0;  // non-zero when the process was killed by a signal
  std::string out;
  std::string err;
  double seconds = 0;
  long max_rss_kib = 0;  // peak memory of the process
  bool timed_out = false;  // killed after the time limit

  // stderr is one line starting "mtool: error:".
  bool one_error_line() const;
  nlohmann::json json() const;  // stdout as one JSON document
  std::vector<nlohmann::json> json_lines() const;  // stdout as JSON Lines
};

RunResult run_mtool(const std::vector<std::string>& args);
// With `time_limit_seconds` > 0 the process is killed (SIGKILL) once it runs longer.
RunResult run_binary(const std::string& binary, const std::vector<std::string>& args, double time_limit_seconds = 0);
RunResult run_mtool_within(double time_limit_seconds, const std::vector<std::string>& args);
// Peak memory of `mtool --version`: what this build costs before reading any file.
// Sanitizer builds start at ~60 MB (their static data and relocations), release
// builds at ~7 MB, so memory bounds are stated as growth over this.
long startup_rss_kib();
// A shell pipeline ("printf ... | \"$MTOOL\" score -"), with $MTOOL set to the binary.
RunResult run_shell(const std::string& script);

std::string fixture(const std::string& name);
// A file of the shared corpus (../shared/corpus), which may be absent.
std::string corpus_file(const std::string& name);
std::string read_file(const std::string& path);
// The entry scripts/make_fixtures.py wrote for fixture `name` in expected.json (what Python saw), or null.
nlohmann::json expected_fixture(const std::string& name);
void write_file(const std::string& path, const std::string& content);
// A fresh folder under the build tree for a test's own files.
std::string scratch_dir(const std::string& name);

}  // namespace mtool::test
