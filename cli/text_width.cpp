#include "text_width.h"

#include <algorithm>
#include <cstdlib>
#include <sys/ioctl.h>
#include <unistd.h>

#include "io/utf8.h"

namespace mtool::cli {

namespace {

constexpr size_t kDefaultColumns = 80;

// Bytes of the colour code Style writes (ESC [ digits m) at `at`, or 0.
size_t colour_code_length(std::string_view text, size_t at) {
  if (text.substr(at, 2) != "\033[") return 0;
  size_t end = at + 2;
  while (end < text.size() && (text[end] >= '0' && text[end] <= '9')) ++end;
  return end < text.size() && text[end] == 'm' ? end + 1 - at : 0;
}

// One thing on screen at `at`: a colour code (no columns) or a character.
struct Piece {
  size_t bytes = 0;
  size_t columns = 0;
};

Piece piece_at(std::string_view text, size_t at) {
  if (size_t code = colour_code_length(text, at)) return {code, 0};
  size_t bytes = std::max<size_t>(1, utf8_sequence_length(text, at));
  return {bytes, display_width(text.substr(at, bytes))};
}

// Start of the text after the line's first run of two or more spaces that
// follows some text, or 0.
size_t column_after_gap(std::string_view line) {
  size_t at = line.find_first_not_of(' ');
  if (at == std::string_view::npos) return 0;
  size_t gap = line.find("  ", at);
  if (gap == std::string_view::npos) return 0;
  size_t text = line.find_first_not_of(' ', gap);
  return text == std::string_view::npos ? 0 : visible_width(line.substr(0, text));
}

}  // namespace

size_t visible_width(std::string_view text) {
  size_t columns = 0;
  for (size_t at = 0; at < text.size();) {
    Piece piece = piece_at(text, at);
    columns += piece.columns;
    at += piece.bytes;
  }
  return columns;
}

std::string pad_right(std::string_view text, size_t columns) {
  std::string out(text);
  size_t shown = visible_width(text);
  if (shown < columns) out.append(columns - shown, ' ');
  return out;
}

std::string pad_left(std::string_view text, size_t columns) {
  size_t shown = visible_width(text);
  return std::string(shown < columns ? columns - shown : 0, ' ') + std::string(text);
}

std::string cut_to_columns(std::string_view text, size_t columns) {
  size_t used = 0;
  size_t at = 0;
  while (at < text.size()) {
    Piece piece = piece_at(text, at);
    if (used + piece.columns > columns) break;
    used += piece.columns;
    at += piece.bytes;
  }
  return std::string(text.substr(0, at));
}

size_t wrap_width(std::FILE* stream) {
  int descriptor = ::fileno(stream);
  if (::isatty(descriptor) != 1) return 0;
  winsize size{};
  if (::ioctl(descriptor, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    long value = std::strtol(columns, nullptr, 10);
    if (value > 0 && value < 10'000) return static_cast<size_t>(value);
  }
  return kDefaultColumns;
}

std::string wrap_line(std::string_view line, size_t width, size_t indent) {
  if (width == 0 || visible_width(line) <= width) return std::string(line);
  indent = std::min(indent, width / 2);  // a narrow terminal still gets text on each line
  std::string out;
  size_t used = 0;
  bool fresh = true;  // nothing but the indent on the current line yet
  auto new_line = [&] {
    out += '\n';
    out.append(indent, ' ');
    used = indent;
    fresh = true;
  };
  size_t at = 0;
  bool first = true;
  while (at < line.size()) {
    size_t word_start = line.find_first_not_of(' ', at);
    if (word_start == std::string_view::npos) break;  // trailing spaces are dropped
    std::string_view spaces = line.substr(at, word_start - at);
    size_t word_end = std::min(line.find(' ', word_start), line.size());
    std::string_view word = line.substr(word_start, word_end - word_start);
    at = word_end;
    size_t word_columns = visible_width(word);
    // The first line keeps its leading spaces; spaces between words are kept on a line.
    size_t gap = first || !fresh ? spaces.size() : 0;
    first = false;
    if (used + gap + word_columns <= width) {
      out.append(spaces.substr(0, gap));
      out.append(word);
      used += gap + word_columns;
      fresh = false;
      continue;
    }
    if (indent + word_columns <= width) {
      new_line();
      out.append(word);
      used += word_columns;
      fresh = false;
      continue;
    }
    // Longer than a line: cut, starting where it stands.
    if (used + gap < width) {
      out.append(spaces.substr(0, gap));
      used += gap;
    } else {
      new_line();
    }
    while (!word.empty()) {
      std::string piece = cut_to_columns(word, width - used);
      if (piece.empty() && fresh) piece = std::string(word.substr(0, piece_at(word, 0).bytes));  // wider than the line
      if (piece.empty()) {
        new_line();
        continue;
      }
      out += piece;
      used += visible_width(piece);
      fresh = false;
      word.remove_prefix(piece.size());
      if (!word.empty()) new_line();
    }
  }
  return out;
}

std::string wrap_text(std::string_view text, size_t width) {
  if (width == 0) return std::string(text);
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    size_t hang = column_after_gap(line);
    if (hang == 0 || hang > width / 2) hang = visible_width(line.substr(0, line.find_first_not_of(' ')));
    out += wrap_line(line, width, hang);
    if (end < text.size()) out += '\n';
    at = end + 1;
  }
  return out;
}

}  // namespace mtool::cli
