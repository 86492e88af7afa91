// Output on an 80-column terminal: inspect reports and help wrap to its width, JSON
// never does, and names from files line up by the columns they take on screen
// (a CJK character takes two), not by their bytes.
#include <doctest/doctest.h>
#include <filesystem>
#include <fmt/format.h>
#include <sstream>
#include <string>
#include <vector>

#include "run_mtool.h"

using namespace mtool::test;
namespace fs = std::filesystem;

namespace {

bool have_script() { return std::system("command -v script >/dev/null 2>&1") == 0; }

// stdout of `mtool ARGS` as a pseudo-terminal `columns` wide shows it (`columns` 0: the
// terminal does not say), with `env` before the command (e.g. "COLUMNS=50"; COLUMNS is unset
// otherwise); CR LF as LF.
std::string on_terminal(const std::string& args, int columns, const std::string& env = "") {
  RunResult shown =
      run_shell(fmt::format("script -qec \"stty cols {}; env -u COLUMNS {} \\\"$MTOOL\\\" {} 2>/dev/null\" "
                            "/dev/null",
                            columns, env, args));
  std::string out;
  for (char c : shown.out) {
    if (c != '\r') out += c;
  }
  return out;
}

// Without the colour codes a terminal gets.
std::string plain(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033' && i + 1 < text.size() && text[i + 1] == '[') {
      size_t end = text.find('m', i);
      if (end != std::string::npos) {
        i = end;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// The characters that are not spaces or newlines: what wrapping must keep, even where it cuts a
// word longer than the line (a path).
std::string ink_of(const std::string& text) {
  std::string out;
  for (char c : plain(text)) {
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(plain(text));
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Terminal columns of UTF-8 text: East Asian wide characters two, combining accents none, others one.
size_t columns(const std::string& text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (size_t k = 1; k < length && i + k < text.size(); ++k) code = (code << 6) | (text[i + k] & 0x3F);
    bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                (code >= 0xFF00 && code <= 0xFF60);
    bool combining = code >= 0x0300 && code <= 0x036F;
    count += wide ? 2 : combining ? 0 : 1;
    i += length;
  }
  return count;
}

size_t widest(const std::string& text) {
  size_t most = 0;
  for (const std::string& line : lines_of(plain(text))) most = std::max(most, columns(line));
  return most;
}

// The lines from "  diagnoses" to the end of inspect's report.
std::string diagnoses_of(const std::string& report) {
  size_t at = plain(report).find("  diagnoses\n");
  return at == std::string::npos ? "" : plain(report).substr(at);
}

// The column (in terminal columns) where `needle` starts on `line`.
size_t column_of(const std::string& line, const std::string& needle) {
  size_t at = line.find(needle);
  REQUIRE_MESSAGE(at != std::string::npos, needle << " in " << line);
  return columns(line.substr(0, at));
}

// A scratch folder holding `source` under each of `names`, inside a folder whose name
// alone puts every path past 60 columns (where an earlier cap stopped aligning).
std::string long_named_copies(const std::string& scratch, const std::string& source,
                              const std::vector<std::string>& names) {
  std::string dir = scratch_dir(scratch) + "/a-folder-whose-name-alone-takes-more-than-sixty-columns-on-screen";
  fs::create_directories(dir);
  for (const std::string& name : names) fs::copy_file(source, fs::path(dir) / name);
  return dir;
}

// `mtool ARGS` exits with `exit_code`, names `files` files ending in `extension`, one
// per line, and on each of those lines the text after the name starts in the same column.
void check_columns_after_names(const std::vector<std::string>& args, int exit_code, const std::string& extension,
                               size_t files) {
  RunResult result = run_mtool(args);
  REQUIRE(result.exit_code == exit_code);
  CAPTURE(result.out);
  std::vector<size_t> found;
  for (const std::string& line : lines_of(result.out)) {
    size_t end = line.find(extension);
    if (end == std::string::npos) continue;  // a summary
    found.push_back(columns(line.substr(0, line.find_first_not_of(' ', end + extension.size()))));
  }
  REQUIRE(found.size() == files);
  for (size_t column : found) CHECK(column == found[0]);
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("help wraps to the terminal, continuing under its text; piped help keeps its lines") {
    if (!have_script()) {
      MESSAGE("skipped: util-linux script (a pseudo-terminal) absent");
      return;
    }
    for (const char* args : {"--help", "inspect --help", "help recipe set", "backport --help", "score --help"}) {
      CAPTURE(args);
      std::vector<std::string> piped_args;
      std::istringstream split(args);
      for (std::string word; split >> word;) piped_args.push_back(word);
      RunResult piped = run_mtool(piped_args);
      for (int width : {80, 60}) {
        std::string shown = on_terminal(args, width);
        CAPTURE(shown);
        CHECK(widest(shown) <= static_cast<size_t>(width));
        CHECK(words_of(shown) == words_of(piped.out));  // never a word cut or lost
      }
    }
    RunResult piped = run_mtool({"inspect", "--help"});
    CHECK(widest(piped.out) > 120);  // not a terminal: one line per description, for grep
    std::string shown = on_terminal("inspect --help", 80);
    // --runtime's description continues under itself (column 30), the footer under the margin.
    CHECK(shown.find("\n" + std::string(30, ' ') + "(e.g. 1.10)") != std::string::npos);
    for (const std::string& line : lines_of(shown)) {
      if (line.starts_with("  --runtime")) CHECK(column_of(line, "The LibTorch") == 30);
    }
  }

  TEST_CASE("inspect's diagnoses and fields wrap on a terminal, under columns 12 and 15; JSON never wraps") {
    if (!have_script()) {
      MESSAGE("skipped: util-linux script (a pseudo-terminal) absent");
      return;
    }
    std::string args = "inspect --runtime 1.10 " + fixture("lite_v8.ptl");
    RunResult piped = run_mtool({"inspect", "--runtime", "1.10", fixture("lite_v8.ptl")});
    std::string piped_diagnoses = diagnoses_of(piped.out);
    REQUIRE(!piped_diagnoses.empty());
    CHECK(widest(piped_diagnoses) > 100);  // today's one-line diagnoses, kept when piped
    for (const auto& terminal : {std::pair{80, ""}, std::pair{50, ""}, std::pair{0, "COLUMNS=50"}, std::pair{0, ""}}) {
      int width = terminal.first;
      std::string env = terminal.second;
      CAPTURE(width);
      CAPTURE(env);
      std::string full = on_terminal(args, width, env);
      std::string shown = diagnoses_of(full);
      CAPTURE(full);
      size_t limit = width > 0 ? static_cast<size_t>(width) : env.empty() ? 80 : 50;  // 80 when nothing says
      CHECK(widest(shown) <= limit);
      CHECK(widest(shown) > limit - 20);  // filled, not wrapped narrower
      CHECK(ink_of(shown) == ink_of(piped_diagnoses));
      // The fields above wrap too, their values continuing under column 15.
      CHECK(widest(full) <= limit);
      CHECK(ink_of(full) == ink_of(piped.out));
      std::string fields = plain(full).substr(0, plain(full).find("  diagnoses\n"));
      for (const std::string& line : lines_of(fields)) {
        bool label = line.size() > 2 && line.starts_with("  ") && line[2] != ' ';
        CHECK_MESSAGE((label || line == "" || line.starts_with(fixture("")) ||
                       (line.starts_with(std::string(15, ' ')) && line[15] != ' ')),
                      line);
      }
      for (const std::string& line : lines_of(shown)) {
        if (line == "  diagnoses") continue;
        bool head =
            line.starts_with("    error   ") || line.starts_with("    warning ") || line.starts_with("    info    ");
        CHECK_MESSAGE((head || (line.starts_with("            ") && line[12] != ' ')), line);
      }
    }
    std::string json = on_terminal("inspect --json --runtime 1.10 " + fixture("lite_v8.ptl"), 40);
    CHECK(std::count(json.begin(), json.end(), '\n') == 1);
    CHECK(nlohmann::json::parse(json)["diagnoses"].size() >= 1);
  }

  TEST_CASE("inspect pads names from files by terminal columns: torch.save keys, an app's models") {
    RunResult result = run_mtool({"inspect", fixture("cjk_keys.pt")});
    std::vector<size_t> dtype_columns;
    for (const std::string& line : lines_of(result.out)) {
      if (line.find("float32") != std::string::npos && line.find('[') != std::string::npos) {
        dtype_columns.push_back(column_of(line, "float32"));
      }
    }
    CAPTURE(result.out);
    REQUIRE(dtype_columns.size() == 4);
    for (size_t column : dtype_columns) CHECK(column == dtype_columns[0]);

    std::string dir = scratch_dir("cjk_app");
    fs::create_directories(dir + "/模型");
    fs::copy_file(fixture("scripted.pt"), dir + "/模型/网络.pt");
    fs::copy_file(fixture("lite_v8.ptl"), dir + "/net.ptl");
    fs::copy_file(fixture("lite_v5.ptl"), dir + "/cafe\u0301.ptl");  // a combining accent takes no column
    RunResult app = run_mtool({"inspect", dir});
    CAPTURE(app.out);
    std::vector<size_t> format_columns;
    for (const std::string& line : lines_of(app.out)) {
      if (line.find("网络.pt  ") != std::string::npos) format_columns.push_back(column_of(line, "torchscript"));
      if (line.find(".ptl  ") != std::string::npos) format_columns.push_back(column_of(line, "lite"));
    }
    REQUIRE(format_columns.size() == 3);
    for (size_t column : format_columns) CHECK(column == format_columns[0]);
  }
}

TEST_SUITE("bench") {
  TEST_CASE("bench's table aligns and cuts CJK file names by columns") {
    std::string dir = scratch_dir("cjk_bench");
    std::string wide = dir + "/一个名字很长的网络模型文件.pt";  // 28 columns: cut to 22
    fs::copy_file(fixture("scripted.pt"), wide);
    fs::copy_file(fixture("scripted.pt"), dir + "/m.pt");
    RunResult result =
        run_mtool({"bench", "--runs", "2", "--loads", "1", "--input-shape", "1,3,16,16", dir + "/m.pt", wide});
    REQUIRE(result.exit_code == 0);
    std::vector<std::string> lines = lines_of(result.out);
    REQUIRE(lines.size() > 2);
    CAPTURE(result.out);
    CHECK(lines[0].find("\\x") == std::string::npos);  // never cut inside a character
    CHECK(lines[0].find("一个名字很长的网络模型") != std::string::npos);
    CHECK(columns(lines[0]) == 22 + 2 * 24);  // right-aligned in its 24 columns
    CHECK(columns(lines[1]) == columns(lines[0]));
  }
}

TEST_SUITE("score") {
  TEST_CASE("score's per-photo lines align CJK and accented paths by columns, however long the paths") {
    std::vector<std::string> names = {"咖啡照片.jpg", "a-coffee.jpg", "cafe\u0301.jpg"};
    std::string dir = long_named_copies("cjk_score", MTOOL_SOURCE_DIR "/examples/coffee.jpg", names);
    check_columns_after_names({"score", dir}, 0, ".jpg", names.size());
  }
}

TEST_SUITE("scan") {
  TEST_CASE("scan's findings start in one column for CJK, accented and long paths") {
    std::vector<std::string> names = {"模型文件.pkl", "a-model.pkl", "cafe\u0301.pkl"};
    std::string dir = long_named_copies("cjk_scan", MTOOL_SOURCE_DIR "/tests/scan_attacks/binstring_names.pkl", names);
    check_columns_after_names({"scan", dir}, 1, ".pkl", names.size());
  }
}
