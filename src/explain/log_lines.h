#pragma once
// An error log as the lines a person would read: however the app, IDE or
// issue tracker wrapped it. CRLF and literal "\n" / "\t" escapes (JSON and
// Java strings, logs pasted from one line) become real line breaks; Xcode
// timestamps and process prefixes ("2023-04-26 12:42:54.214353+0800
// PyTorchDemo[5324:2043952] "), logcat prefixes ("E/PyTorchDemo(1234): ",
// "11-24 09:35:11.099: I/ETLOG(3388): ", "07-24 19:16:23.331 20563 20563 I
// tag: ") and the Android JNI wrapper ("... com.facebook.jni.CppException: ")
// are cut off. Input and line lengths are capped, so any bytes take bounded
// time.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mtool {

inline constexpr size_t kMaxLogBytes = 4 << 20;   // text beyond this is not read
inline constexpr size_t kMaxLogLineBytes = 2048;  // longer lines are split
inline constexpr size_t kMaxLogLines = 50000;

struct LogLine {
  size_t number = 0;  // 1-based, in the text after escapes were turned into line breaks
  std::string text;   // without the log prefix, trimmed
  bool noise = false; // a backtrace frame or traceback location: never quoted alone
};

std::vector<LogLine> split_log(std::string_view text);

// The line without its log prefix (exposed for tests).
std::string_view strip_log_prefix(std::string_view line);

// Lower case, whitespace removed: what patterns are compared against, so a
// message wrapped at any space (or mid-word) across two lines still matches.
std::string squeeze(std::string_view text);

}  // namespace mtool
