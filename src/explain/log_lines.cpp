#include "explain/log_lines.h"

#include <algorithm>

namespace mtool {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Escapes that stand for line breaks or quotes in JSON / Java / C strings.
// Applied twice at most: a JSON string holding an escaped log is escaped twice.
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      out += '\n';
      continue;
    }
    if (c != '\\' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    char next = text[i + 1];
    if (next == 'n' || next == 'r') {
      // "\r\n" escaped is one break.
      if (next == 'r' && i + 3 < text.size() && text[i + 2] == '\\' && text[i + 3] == 'n') i += 2;
      out += '\n';
      ++i;
    } else if (next == 't') {
      out += ' ';
      ++i;
    } else if (next == '"' || next == '\'' || next == '\\' || next == '/') {
      out += next;
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

bool has_escapes(std::string_view text) {
  for (std::string_view escape : {"\\n", "\\\"", "\\\\", "\\t", "\r"}) {
    if (text.find(escape) != std::string_view::npos) return true;
  }
  return false;
}

// Length of a run of digits at the front.
size_t digits(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  return n;
}

// "2023-04-26 12:42:54.214353+0800 " or "11-24 09:35:11.099: " or "07-24 19:16:23.331 ":
// the length of the timestamp with the spaces and colon after it, or 0.
size_t timestamp_length(std::string_view line) {
  size_t at = 0;
  size_t year = digits(line);
  if (year == 4 && line.size() > 5 && line[4] == '-') at = 5;
  if (digits(line.substr(at)) != 2 || line.size() < at + 6 || line[at + 2] != '-') return 0;
  at += 3;
  if (digits(line.substr(at)) != 2 || line.size() < at + 3 || line[at + 2] != ' ') return 0;
  at += 3;
  // hh:mm:ss
  for (int part = 0; part < 3; ++part) {
    if (digits(line.substr(at)) != 2) return 0;
    at += 2;
    if (part < 2) {
      if (at >= line.size() || line[at] != ':') return 0;
      ++at;
    }
  }
  if (at < line.size() && line[at] == '.') at += 1 + digits(line.substr(at + 1));
  if (at < line.size() && (line[at] == '+' || line[at] == '-')) at += 1 + digits(line.substr(at + 1));
  if (at < line.size() && line[at] == ':') ++at;
  while (at < line.size() && line[at] == ' ') ++at;
  return at;
}

// "PyTorchDemo[5324:2043952] " (Xcode) after a timestamp.
size_t xcode_process_length(std::string_view line) {
  size_t open = line.find('[');
  size_t space = line.find(' ');
  if (open == std::string_view::npos || open == 0 || (space != std::string_view::npos && space < open)) return 0;
  size_t close = line.find("] ", open);
  if (close == std::string_view::npos) return 0;
  std::string_view ids = line.substr(open + 1, close - open - 1);
  if (ids.empty() || !std::all_of(ids.begin(), ids.end(), [](char c) { return is_digit(c) || c == ':'; })) return 0;
  return close + 2;
}

// "E/PyTorchDemo(1234): " or "I/ETLOG(  3388): ".
size_t logcat_tag_length(std::string_view line) {
  if (line.size() < 4 || std::string_view("VDIWEFA").find(line[0]) == std::string_view::npos || line[1] != '/') {
    return 0;
  }
  size_t open = line.find('(');
  size_t close = line.find("): ");
  size_t colon = line.find(": ");
  if (open != std::string_view::npos && close != std::string_view::npos && open < close && close <= colon) {
    return close + 3;
  }
  // "E/AndroidRuntime: " without a pid
  if (colon != std::string_view::npos && line.substr(0, colon).find(' ') == std::string_view::npos) return colon + 2;
  return 0;
}

// "20563 20563 I Paddle-Lite: " (logcat threadtime, after its timestamp).
size_t threadtime_length(std::string_view line) {
  size_t at = digits(line);
  if (at == 0 || at >= line.size() || line[at] != ' ') return 0;
  while (at < line.size() && line[at] == ' ') ++at;
  size_t tid = digits(line.substr(at));
  if (tid == 0) return 0;
  at += tid;
  if (line.size() < at + 4 || line[at] != ' ' || std::string_view("VDIWEF").find(line[at + 1]) == std::string_view::npos ||
      line[at + 2] != ' ') {
    return 0;
  }
  size_t colon = line.find(": ", at + 3);
  return colon == std::string_view::npos ? 0 : colon + 2;
}

// "13290-13342/org.pytorch.demo " (Android Studio's logcat: pid-tid/package, after its timestamp).
size_t studio_process_length(std::string_view line) {
  size_t pid = digits(line);
  if (pid == 0 || pid >= line.size() || line[pid] != '-') return 0;
  size_t tid = digits(line.substr(pid + 1));
  size_t slash = pid + 1 + tid;
  if (tid == 0 || slash >= line.size() || line[slash] != '/') return 0;
  size_t space = line.find(' ', slash);
  return space == std::string_view::npos ? 0 : space + 1;
}

bool is_noise(std::string_view line) {
  for (std::string_view start : {"frame #", "at ", "File \"", "~~~", "^^^", "Traceback (most recent call last)",
                                 "Exception raised from", "(no backtrace available)", "..."}) {
    if (line.starts_with(start)) return true;
  }
  return false;
}

}  // namespace

std::string_view strip_log_prefix(std::string_view line) {
  line = trim(line);
  if (size_t stamp = timestamp_length(line)) {
    line.remove_prefix(stamp);
    if (size_t process = xcode_process_length(line)) line.remove_prefix(process);
    else if (size_t thread = threadtime_length(line)) line.remove_prefix(thread);
    else if (size_t studio = studio_process_length(line)) line.remove_prefix(studio);
  }
  if (size_t tag = logcat_tag_length(line)) line.remove_prefix(tag);
  // The Android wrappers around a C++ message: keep what LibTorch said.
  for (std::string_view wrapper : {"com.facebook.jni.CppException: ", "CppException: "}) {
    size_t at = line.rfind(wrapper);
    if (at != std::string_view::npos) {
      line.remove_prefix(at + wrapper.size());
      break;
    }
  }
  return trim(line);
}

std::string squeeze(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_space(c) || c == '\n') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::vector<LogLine> split_log(std::string_view text) {
  text = text.substr(0, kMaxLogBytes);
  std::string decoded(text);
  for (int pass = 0; pass < 2 && has_escapes(decoded); ++pass) decoded = unescape(decoded);
  std::vector<LogLine> lines;
  size_t number = 0;
  size_t start = 0;
  while (start <= decoded.size() && lines.size() < kMaxLogLines) {
    size_t end = decoded.find('\n', start);
    if (end == std::string::npos) end = decoded.size();
    std::string_view physical(decoded.data() + start, end - start);
    ++number;
    for (size_t at = 0; at == 0 || at < physical.size(); at += kMaxLogLineBytes) {
      std::string_view stripped = strip_log_prefix(physical.substr(at, kMaxLogLineBytes));
      if (!stripped.empty()) lines.push_back({number, std::string(stripped), is_noise(stripped)});
      if (lines.size() >= kMaxLogLines) break;
    }
    start = end + 1;
  }
  return lines;
}

}  // namespace mtool
