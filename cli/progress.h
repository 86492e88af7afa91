#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal,
// at most ten times a second. Lines printed to stdout in between go through
// `print_line`, so the bar never lands in the middle of them.
#include <chrono>
#include <cstddef>
#include <string>

namespace mtool::cli {

class Progress {
 public:
  // Shown when stderr is a terminal and there are more than `threshold` items.
  Progress(size_t total, size_t threshold = 8);
  ~Progress();
  void advance();
  void print_line(const std::string& line);

 private:
  void draw(bool force);
  void clear();

  size_t total_;
  size_t done_ = 0;
  bool shown_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mtool::cli
