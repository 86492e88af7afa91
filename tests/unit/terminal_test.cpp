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
