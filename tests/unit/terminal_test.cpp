// terminal_safe: what names from model files may do to the terminal.
#include <doctest/doctest.h>

#include "terminal.h"

using mtool::cli::Style;
using mtool::cli::terminal_safe;

TEST_CASE("terminal_safe keeps text, newlines, tabs and UTF-8") {
  CHECK(terminal_safe("conv.weight\tfloat32 · [8, 3] → ok\n") == "conv.weight\tfloat32 · [8, 3] → ok\n");
  CHECK(terminal_safe("\xF0\x9F\x93\xB7 camera") == "\xF0\x9F\x93\xB7 camera");
  CHECK(terminal_safe("") == "");
}

TEST_CASE("terminal_safe escapes control sequences a file could carry") {
  CHECK(terminal_safe("os.\x1b[2Jsystem") == "os.\\x1b[2Jsystem");  // clear screen
  CHECK(terminal_safe("safe\rdangerous") == "safe\\x0ddangerous");   // overwrite the line
  CHECK(terminal_safe("a\bb\x7f") == "a\\x08b\\x7f");
  CHECK(terminal_safe("\x1b]0;title\x07") == "\\x1b]0;title\\x07");  // window title
  CHECK(terminal_safe("\xC2\x9B" "2J") == "\\xc2\\x9b2J");           // C1 CSI
}

TEST_CASE("terminal_safe escapes bytes that are not UTF-8") {
  CHECK(terminal_safe("caf\xE9") == "caf\\xe9");                  // Latin-1
  CHECK(terminal_safe("\xC0\xAF") == "\\xc0\\xaf");               // overlong '/'
  CHECK(terminal_safe("\xED\xA0\x80") == "\\xed\\xa0\\x80");       // surrogate
  CHECK(terminal_safe("\xE2\x82") == "\\xe2\\x82");               // cut short
  CHECK(terminal_safe("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST_CASE("terminal_safe keeps mtool's own colours but no others") {
  Style colour{true};
  std::string styled = colour.red("error") + " " + colour.dim("fix");
  CHECK(terminal_safe(styled) == styled);
  CHECK(terminal_safe("\x1b[8mhidden\x1b[0m") == "\\x1b[8mhidden\x1b[0m");  // conceal is not ours
}

TEST_CASE("escaped_name lets nothing from a file colour or break mtool's line") {
  using mtool::cli::escaped_name;
  Style colour{true};
  std::string red = colour.red("x");  // a sequence terminal_safe keeps, being mtool's own
  CHECK(terminal_safe(red) == red);
  CHECK(escaped_name(red).find('\033') == std::string::npos);
  CHECK(escaped_name("labels\n.txt\t") == "labels\\x0a.txt\\x09");
  CHECK(escaped_name("ok → names.txt") == "ok → names.txt");
}

TEST_CASE("counts switch unit before the number grows four digits") {
  using mtool::cli::human_count;
  CHECK(human_count(9'999) == "9999");
  CHECK(human_count(2'555'000) == "2.56 M");
  CHECK(human_count(999'000) == "999.0 k");
  CHECK(human_count(3'500'000'000) == "3.50 G");
}
