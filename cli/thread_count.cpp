#include "thread_count.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <sched.h>
#include <thread>

namespace mtool::cli {

namespace {
// The cores the scheduler lets this process use (a container's or taskset's
// limit), else what the machine has.
int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::thread::hardware_concurrency());
}
}  // namespace

void add_threads_option(CLI::App& command, int& threads, const std::string& help) {
  command.add_option("--threads", threads, help)->check(CLI::Range(1, 1024));
}

void warn_if_more_threads_than_cores(int threads) {
  int cores = usable_cores();
  if (threads <= 0 || cores <= 0 || threads <= cores) return;
  std::fprintf(stderr, "mtool: warning: --threads %d is more than the %d core%s here; the threads take turns and "
               "the work slows down\n", threads, cores, cores == 1 ? "" : "s");
}

}  // namespace mtool::cli
