#include <doctest/doctest.h>

#include <string>

#include "io/utf8.h"

using mtool::utf8_sequence_length;

TEST_CASE("utf8_sequence_length accepts well-formed sequences only") {
  CHECK(utf8_sequence_length("\xC3\xA9", 0) == 2);          // é
  CHECK(utf8_sequence_length("\xE2\x86\x92", 0) == 3);      // →
  CHECK(utf8_sequence_length("\xF0\x9F\x93\xB7", 0) == 4);  // camera emoji
  CHECK(utf8_sequence_length("a", 0) == 0);                 // ASCII is not multi-byte
  CHECK(utf8_sequence_length("\xC0\xAF", 0) == 0);          // overlong
  CHECK(utf8_sequence_length("\xED\xA0\x80", 0) == 0);      // surrogate
  CHECK(utf8_sequence_length("\xF4\x90\x80\x80", 0) == 0);  // above U+10FFFF
  CHECK(utf8_sequence_length("\xE2\x86", 0) == 0);          // cut short
  CHECK(utf8_sequence_length("x", 5) == 0);                 // past the end
}

TEST_CASE("display_width counts terminal columns: wide CJK 2, combining marks 0, broken bytes 1") {
  CHECK(mtool::display_width("model.pt") == 8);
  CHECK(mtool::display_width("模型.pt") == 7);              // two wide ideographs
  CHECK(mtool::display_width("한국어") == 6);                // Hangul syllables
  CHECK(mtool::display_width("ｆｕｌｌ") == 8);              // fullwidth Latin
  CHECK(mtool::display_width("e\xcc\x81") == 1);            // e + combining acute
  CHECK(mtool::display_width("caf\xc3\xa9") == 4);          // precomposed é
  CHECK(mtool::display_width(std::string("\xff\xfe", 2)) == 2);
}
