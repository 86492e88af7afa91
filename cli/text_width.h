#pragma once
// mtool's text laid out in terminal columns: padded, cut and wrapped by the
// columns it takes on screen (a CJK character takes two, a combining mark none,
// Style's colour codes none), never by bytes. Text holding names from files
// must be escaped (terminal_safe, escaped_name) before it is measured.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace mtool::cli {

// Columns `text` takes on a terminal.
size_t visible_width(std::string_view text);
// `text` and spaces up to `columns` (left-aligned); `text` unchanged when it is wider.
std::string pad_right(std::string_view text, size_t columns);
// Spaces and `text` up to `columns` (right-aligned).
std::string pad_left(std::string_view text, size_t columns);
// The longest start of `text` within `columns`, in whole characters.
std::string cut_to_columns(std::string_view text, size_t columns);

// Where text for `stream` wraps: 0 (never) when it is not a terminal, so piped
// output keeps one line per field and diagnosis for grep and scripts; on a terminal its
// width (TIOCGWINSZ), else COLUMNS, else 80.
size_t wrap_width(std::FILE* stream);

// One line (no newline in it) broken at spaces into lines of at most `width`
// columns; each continuation line starts with `indent` spaces. A word is cut
// only when it is longer than a line (a long path). `width` 0: unchanged.
std::string wrap_line(std::string_view line, size_t width, size_t indent);
// Every line of `text` wrapped (help pages): a line continues under its own
// text, after its first gap of two or more spaces when that gap ends in the
// line's first half (an option's or exit code's description), else under its
// first character.
std::string wrap_text(std::string_view text, size_t width);

}  // namespace mtool::cli
