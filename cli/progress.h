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
  // Removes the bar (redrawn by the next advance), so a line on stderr starts at column 0.
  void erase();

 private:
  void draw(bool force);

  size_t total_;
  size_t done_ = 0;
  bool shown_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// One line on stderr saying what long work is doing now (bench's loads and runs),
// rewritten in place, drawn only when stderr is a terminal, erased when done.
class StatusLine {
 public:
  StatusLine();
  ~StatusLine();
  void show(const std::string& text);
  void erase();

 private:
  bool shown_;
  bool drawn_ = false;
};

}  // namespace mtool::cli
