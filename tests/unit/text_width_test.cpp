// Padding, cutting and wrapping by terminal columns (cli/text_width.h).
#include <doctest/doctest.h>
#include <string>

#include "terminal.h"
#include "text_width.h"

using namespace mtool::cli;

namespace {

// The widest line of `text`, in columns.
size_t widest_line(const std::string& text) {
  size_t widest = 0;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = std::min(text.find('\n', at), text.size());
    widest = std::max(widest, visible_width(std::string_view(text).substr(at, end - at)));
    at = end + 1;
  }
  return widest;
}

}  // namespace

TEST_CASE("columns, not bytes: CJK takes two, colour codes none") {
  CHECK(visible_width("模型.pt") == 7);
  CHECK(visible_width(Style{true}.red("error") + " x") == 7);
  CHECK(pad_right("模型", 6) == "模型  ");
  CHECK(pad_left("模型", 6) == "  模型");
  CHECK(pad_right("toolong", 3) == "toolong");
  CHECK(cut_to_columns("模型文件.pt", 5) == "模型");  // never half a character
  CHECK(cut_to_columns("abc", 10) == "abc");
}

TEST_CASE("wrap_line breaks at spaces, hangs continuations and fits the width") {
  std::string line = "    error   some-code  The quick brown fox jumps over the lazy dog and keeps running far away.";
  std::string wrapped = wrap_line(line, 40, 12);
  CHECK(widest_line(wrapped) <= 40);
  CHECK(wrapped.starts_with("    error   some-code  The quick brown\n            fox jumps"));
  std::string rejoined;
  for (char c : wrapped) {
    if (c != '\n') rejoined += c;
  }
  CHECK(rejoined.find("brown            fox") != std::string::npos);  // a break replaces one space
  CHECK(wrap_line("short line", 40, 4) == "short line");
  CHECK(wrap_line(line, 0, 12) == line);  // 0: not a terminal
}

TEST_CASE("wrap_line cuts only words longer than a line, by columns") {
  std::string path = "/" + std::string(70, 'a') + "/模型.pt";
  std::string wrapped = wrap_line("fix: run mtool backport " + path + " --to 7", 30, 4);
  CHECK(widest_line(wrapped) <= 30);
  CHECK(wrapped.starts_with("fix: run mtool backport /aaaaa\n    aaaa"));
  CHECK(wrapped.find("模型") != std::string::npos);  // not split inside a character
  CHECK(wrapped.find("aaaa/模型.pt --to\n    7") !=
        std::string::npos);  // the path's end and the words after it fill on
  std::string cjk = wrap_line(std::string("x ") + "模型模型模型模型", 5, 0);
  CHECK(widest_line(cjk) <= 5);
}

TEST_CASE("wrap_text hangs help lines under their description") {
  std::string help =
      "  -o,--output FILE           Write a new file instead of rewriting MODEL, keeping its mode\n"
      "  2   usage error (a target no model reaches, an existing output without --force)\n"
      "A footer paragraph that goes on for longer than the terminal is wide, in plain words.\n";
  std::string wrapped = wrap_text(help, 60);
  CHECK(widest_line(wrapped) <= 60);
  CHECK(wrapped.find("instead of\n" + std::string(29, ' ') + "rewriting MODEL") !=
        std::string::npos);  // under its text
  CHECK(wrapped.find("\n      output without --force)") != std::string::npos);
  CHECK(wrapped.find("terminal\nis wide, in plain words.") != std::string::npos);  // a paragraph: under the margin
  CHECK(wrapped.ends_with("\n"));
  CHECK(wrap_text(help, 0) == help);
  CHECK(wrap_text(wrapped, 60) == wrapped);  // wrapping twice changes nothing
}
