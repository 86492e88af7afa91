#include "run_mtool.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mtool::test {

bool RunResult::one_error_line() const {
  return err.rfind("mtool: error: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

nlohmann::json RunResult::json() const { return nlohmann::json::parse(out); }

std::vector<nlohmann::json> RunResult::json_lines() const {
  std::vector<nlohmann::json> lines;
  for (size_t start = 0; start < out.size();) {
    size_t end = out.find('\n', start);
    lines.push_back(nlohmann::json::parse(out.substr(start, end - start)));
    start = end == std::string::npos ? out.size() : end + 1;
  }
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

nlohmann::json expected_fixture(const std::string& name) {
  // Named: a range-for over a temporary's member would dangle.
  nlohmann::json expected = nlohmann::json::parse(read_file(fixture("expected.json")));
  for (const nlohmann::json& entry : expected["fixtures"]) {
    if (entry["file"] == name) return entry;
  }
  return nullptr;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string fixture(const std::string& name) { return std::string(MTOOL_FIXTURE_DIR) + "/" + name; }

std::string corpus_file(const std::string& name) { return std::string(MTOOL_CORPUS_DIR) + "/" + name; }

std::string scratch_dir(const std::string& name) {
  auto path = std::filesystem::path(MTOOL_FIXTURE_DIR).parent_path() / "test-scratch" / name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path.string();
}

RunResult run_mtool(const std::vector<std::string>& args) { return run_binary(MTOOL_BINARY, args); }

RunResult run_shell(const std::string& script) {
  return run_binary("/bin/sh", {"-c", "MTOOL='" MTOOL_BINARY "'; " + script});
}

RunResult run_mtool_within(double time_limit_seconds, const std::vector<std::string>& args) {
  return run_binary(MTOOL_BINARY, args, time_limit_seconds);
}

long startup_rss_kib() {
  static const long startup = run_mtool({"--version"}).max_rss_kib;
  return startup;
}

RunResult run_binary(const std::string& binary, const std::vector<std::string>& args, double time_limit_seconds) {
  std::string dir = scratch_dir("run-" + std::to_string(::getpid()));
  std::string out_path = dir + "/stdout";
  std::string err_path = dir + "/stderr";
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  RunResult result;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    struct rusage usage {};
    auto limit = start + std::chrono::duration<double>(time_limit_seconds);
    while (time_limit_seconds > 0 && wait4(pid, &status, WNOHANG, &usage) == 0) {
      if (std::chrono::steady_clock::now() > limit) {
        kill(pid, SIGKILL);
        result.timed_out = true;
        break;
      }
      usleep(2000);
    }
    if (time_limit_seconds <= 0 || result.timed_out) wait4(pid, &status, 0, &usage);
    result.max_rss_kib = usage.ru_maxrss;
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace mtool::test
