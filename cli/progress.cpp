#include "progress.h"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "terminal.h"
#include "text_width.h"

namespace mtool::cli {

Progress::Progress(size_t total, size_t threshold)
    : total_(total), shown_(total > threshold && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { erase(); }

void Progress::advance() {
  ++done_;
  draw(done_ == total_);
}

void Progress::print_line(const std::string& line) {
  erase();
  std::printf("%s\n", terminal_safe(line).c_str());
  std::fflush(stdout);
  draw(true);
}

void Progress::draw(bool force) {
  if (!shown_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr size_t kWidth = 30;
  size_t filled = total_ == 0 ? kWidth : done_ * kWidth / total_;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::fprintf(stderr, "\r\033[K[%s%s] %zu/%zu  %.1f images/s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(), done_, total_, rate);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::erase() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

StatusLine::StatusLine() : shown_(isatty(STDERR_FILENO) == 1) {}

StatusLine::~StatusLine() { erase(); }

void StatusLine::show(const std::string& text) {
  if (!shown_) return;
  constexpr size_t kWidth = 79;  // fits an 80-column terminal, so \r returns to its start
  std::string line = escaped_name(text);
  if (visible_width(line) > kWidth) line = cut_to_columns(line, kWidth - 3) + "...";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void StatusLine::erase() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace mtool::cli
