// mtool scan on real malicious and benign samples, on PyTorch's own files,
// and the proof that nothing in a scanned or inspected pickle ever runs.
#include <doctest/doctest.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <map>

#include "run_mtool.h"
#include "zip_builder.h"

using namespace mtool::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The rows of dir/MANIFEST.tsv after its header, split at tabs.
std::vector<std::vector<std::string>> manifest_rows(const fs::path& dir) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(dir / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

std::map<std::string, std::string> picklescan_expectations(const fs::path& dir) {
  std::map<std::string, std::string> expect;
  for (const auto& row : manifest_rows(dir)) {
    if (row.size() >= 2) expect[row[0]] = row[1];
  }
  return expect;
}

bool corpus_present() { return fs::is_directory(fs::path(MTOOL_CORPUS_DIR) / "picklescan"); }

// Pickles whose payload runs `touch MARKER` when Python unpickles them.
std::vector<std::pair<std::string, std::string>> marker_payloads(const std::string& marker) {
  std::string command = "touch " + marker;
  std::string protocol0 = "cos\nsystem\n(S'" + command + "'\ntR.";
  std::string protocol2 = std::string("\x80\x02" "cposix\nsystem\nq\x00X", 20) +
                          std::string(1, static_cast<char>(command.size())) + std::string(3, '\0') + command +
                          std::string("\x85R.", 3);
  std::string eval = "cbuiltins\neval\n(S'__import__(\"os\").system(\"" + command + "\")'\ntR.";
  return {{"protocol0.pkl", protocol0},
          {"protocol2.pkl", protocol2},
          {"eval.pkl", eval},
          {"in_zip.pt", make_zip({{"archive/data.pkl", protocol2}, {"archive/version", "3\n"}})},
          {"in_torchscript.pt", make_zip({{"m/data.pkl", protocol0}, {"m/constants.pkl", protocol2},
                                          {"m/code/__torch__.py", "class M(Module):\n  pass\n"}, {"m/version", "3\n"}})}};
}

struct AttackCase {
  std::string file;
  int exit_code = 0;
  std::string cls;
};

// tests/scan_attacks/MANIFEST.tsv: file, exit, class, ... (scripts/make_scan_attacks.py).
std::vector<AttackCase> attack_cases(const fs::path& dir) {
  std::vector<AttackCase> cases;
  for (const auto& row : manifest_rows(dir)) {
    if (row.size() >= 3) cases.push_back({row[0], std::stoi(row[1]), row[2]});
  }
  return cases;
}

void remove_attack_markers() {
  for (const auto& entry : fs::directory_iterator("/tmp")) {
    if (entry.path().filename().string().starts_with("mtool-scan-attack.")) fs::remove(entry.path());
  }
}

size_t attack_markers() {
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator("/tmp")) {
    if (entry.path().filename().string().starts_with("mtool-scan-attack.")) ++count;
  }
  return count;
}

}  // namespace

TEST_SUITE("scan") {
  TEST_CASE("the adversarial corpus: every unsafe case is flagged, every benign one is safe, nothing runs") {
    fs::path dir = fs::path(MTOOL_SOURCE_DIR) / "tests" / "scan_attacks";
    std::vector<AttackCase> cases = attack_cases(dir);
    REQUIRE(cases.size() >= 100);
    remove_attack_markers();
    std::map<std::string, std::pair<int, int>> by_class;  // class -> (exact, total)
    for (const AttackCase& attack : cases) {
      CAPTURE(attack.file);
      std::string path = (dir / attack.file).string();
      RunResult result = run_mtool({"scan", "--json", path});
      CHECK(result.exit_code == attack.exit_code);
      if (attack.exit_code != 0) CHECK(result.exit_code != 0);  // the one failure that matters most
      json report = json::parse(result.out.substr(0, result.out.find('\n')));
      CHECK_FALSE((report["verdict"] == "safe" && report["status"] == "incomplete"));
      auto& tally = by_class[attack.cls];
      tally.first += result.exit_code == attack.exit_code;
      ++tally.second;
      // inspect reads the same file and must not run it either.
      run_mtool({"inspect", "--json", path});
    }
    std::string summary;
    for (const auto& [cls, tally] : by_class) summary += fmt::format("{} {}/{}; ", cls, tally.first, tally.second);
    MESSAGE("scan attacks: " << summary);
    CHECK(attack_markers() == 0);
  }

  TEST_CASE("nothing in a pickle ever runs: not on inspect, not on scan") {
    std::string dir = scratch_dir("marker");
    std::string marker = dir + "/MARKER";
    for (const auto& [name, bytes] : marker_payloads(marker)) {
      const std::string& payload = name;  // CAPTURE's lambda cannot name a structured binding (C++17)
      CAPTURE(payload);
      std::string path = dir + "/" + name;
      write_file(path, bytes);
      RunResult inspected = run_mtool({"inspect", path});
      RunResult scanned = run_mtool({"scan", path});
      CHECK(scanned.exit_code == 1);
      CHECK(scanned.out.find("dangerous") != std::string::npos);
      CHECK(inspected.signal == 0);
      CHECK_FALSE(fs::exists(marker));
    }
    // The payloads are live: Python's own unpickler does run them.
    std::string live = dir + "/protocol0.pkl";
    std::string python = "/usr/bin/python3 -c \"import pickle; pickle.load(open('" + live + "', 'rb'))\"";
    REQUIRE(std::system(python.c_str()) == 0);
    CHECK(fs::exists(marker));
  }

  TEST_CASE("the picklescan samples are classified as their manifest expects") {
    if (!corpus_present()) {
      MESSAGE("SKIPPED: no corpus at " MTOOL_CORPUS_DIR);
      return;
    }
    fs::path dir = fs::path(MTOOL_CORPUS_DIR) / "picklescan";
    std::map<std::string, int> tally;
    for (const auto& [file, expect] : picklescan_expectations(dir)) {
      fs::path path = fs::path(MTOOL_CORPUS_DIR) / file;
      if (!fs::exists(path)) continue;
      const std::string& sample = file;  // CAPTURE's lambda cannot name a structured binding (C++17)
      CAPTURE(sample);
      RunResult result = run_mtool({"scan", "--json", path.string()});
      json report = json::parse(result.out.substr(0, result.out.find('\n')));
      if (expect == "dangerous") {
        CHECK(result.exit_code == 1);
        CHECK(report["verdict"] == "dangerous");
        bool named = false;
        for (const auto& global : report["globals"]) named = named || global["verdict"] == "dangerous";
        CHECK(named);
      } else if (expect == "benign" && report["complete"] == true) {
        CHECK(result.exit_code == 0);
        CHECK(report["status"] == "safe");
      } else if (expect == "benign") {
        // Benign but unreadable (the encrypted zip): never called safe.
        CHECK(result.exit_code == 3);
        CHECK(report["status"] == "incomplete");
      } else if (expect == "broken") {
        CHECK(result.exit_code != 0);
        CHECK(report["not_scanned"].dump().find("breaks part way") != std::string::npos);
      } else if (expect == "not-a-model") {
        CHECK(result.exit_code == 0);
        CHECK(report["pickles"] == 0);
      }
      ++tally[expect + " -> " + report["status"].get<std::string>()];
    }
    std::string summary;
    for (const auto& [key, count] : tally) summary += key + ": " + std::to_string(count) + "; ";
    MESSAGE("picklescan tally: " << summary);
  }

  TEST_CASE("every demo-app model, and every fixture model PyTorch wrote, scans as safe") {
    std::vector<std::string> paths;
    if (corpus_present()) paths.push_back((fs::path(MTOOL_CORPUS_DIR) / "demo-apps").string());
    for (const char* name :
         {"scripted.pt", "traced.pt", "lite_v8.ptl", "lite_v4.ptl", "lite_v5.ptl", "state_dict.pt", "checkpoint.pth",
          "legacy.pt", "quantized_dynamic.ptl", "plain.pkl", "with_extra_files.pt"}) {
      paths.push_back(fixture(name));
    }
    std::vector<std::string> args = {"scan"};
    args.insert(args.end(), paths.begin(), paths.end());
    RunResult result = run_mtool(args);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("dangerous  ") == std::string::npos);
    CHECK(result.out.find(" 0 unknown, 0 dangerous, 0 incomplete, 0 unreadable") != std::string::npos);
  }

  TEST_CASE("extra/ files of a TorchScript archive: text is no finding, a pickle is scanned as a plain one") {
    // labels.txt "cat\ndog\n" reads as GLOBAL at.dog, then breaks; torch.jit.load returns it as bytes.
    RunResult text = run_mtool({"scan", "--json", fixture("with_extra_files.pt")});
    CHECK(text.exit_code == 0);
    json record = json::parse(text.out.substr(0, text.out.find('\n')));
    CHECK(record["status"] == "safe");
    CHECK(record["not_scanned"].empty());
    fs::path attacks = fs::path(MTOOL_SOURCE_DIR) / "tests" / "scan_attacks";
    RunResult pickled = run_mtool({"scan", (attacks / "ts_extra_dangerous_pickle.pt").string()});
    CHECK(pickled.exit_code == 1);
    CHECK(pickled.out.find("dangerous: posix.system") != std::string::npos);
    // Text that breaks but names a dangerous global still counts: unpickled, it runs before the break.
    std::string dir = scratch_dir("scan-extra-text");
    std::string archive = dir + "/labels.pt";
    std::string make =
        "/usr/bin/python3 -c \"import torch; m = torch.jit.script(torch.nn.ReLU()); "
        "torch.jit.save(m, '" +
        archive + "', _extra_files={'labels.txt': 'cos\\nsystem\\n(S\\'id\\'\\ntR garbage'})\" 2>/dev/null";
    REQUIRE(std::system(make.c_str()) == 0);
    RunResult broken = run_mtool({"scan", archive});
    CHECK(broken.exit_code == 1);
  }

  TEST_CASE("a pickled module needs unknown classes; --allow accepts them by name") {
    RunResult result = run_mtool({"scan", fixture("whole_module.pt")});
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("unknown: __main__.SmallNet") != std::string::npos);
    RunResult allowed = run_mtool({"scan", "--allow", "__main__.SmallNet", "--allow", "torch.nn.modules.conv.Conv2d",
                                   "--allow", "torch.nn.modules.batchnorm.BatchNorm2d", "--allow",
                                   "torch.nn.modules.linear.Linear", fixture("whole_module.pt")});
    CHECK(allowed.exit_code == 0);
  }

  TEST_CASE("folders are scanned recursively and in order; JSON ends with a summary") {
    std::string dir = scratch_dir("tree");
    fs::create_directories(dir + "/b/c");
    write_file(dir + "/b/c/evil.pkl", "cos\nsystem\n(S'true'\ntR.");
    write_file(dir + "/a.txt", "just text");
    fs::copy_file(fixture("state_dict.pt"), dir + "/b/model.pt");
    RunResult result = run_mtool({"scan", "--json", dir});
    CHECK(result.exit_code == 1);
    std::vector<json> lines;
    for (size_t start = 0; start < result.out.size();) {
      size_t end = result.out.find('\n', start);
      lines.push_back(json::parse(result.out.substr(start, end - start)));
      start = end + 1;
    }
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["path"].get<std::string>().ends_with("/a.txt"));
    CHECK(lines[1]["path"].get<std::string>().ends_with("/b/c/evil.pkl"));
    CHECK(lines[1]["verdict"] == "dangerous");
    CHECK(lines[2]["verdict"] == "safe");
    CHECK(lines[3]["schema"] == "mtool.scan-summary/1");
    CHECK(lines[3]["dangerous"] == 1);
  }

  TEST_CASE("bad pickles: a clear note naming offset and opcode, bounded time and memory, never a crash") {
    std::string dir = scratch_dir("bad-pickles");
    std::string cycle("\x80\x02]q\x00h\x00" "a.", 9);
    std::vector<std::pair<std::string, std::string>> cases = {
        {"huge_memo.pkl", std::string("\x80\x02N\x72\xff\xff\xff\xff\x6a\xff\xff\xff\xff.", 14)},
        {"unknown_opcode.pkl", std::string("\x80\x02]\xfe.", 5)},
        {"truncated.pkl", std::string("\x80\x02" "cos\nsystem\n(X\x10\x00\x00\x00" "ec", 21)},
        {"dangling_memo.pkl", std::string("\x80\x02h\x07.", 5)},
    };
    write_file(dir + "/cycle.pkl", cycle);
    RunResult cyclic = run_mtool({"scan", dir + "/cycle.pkl"});
    CHECK(cyclic.exit_code == 0);
    // CPython has no nesting limit: 200000 nested tuples are a valid, harmless pickle.
    write_file(dir + "/deep.pkl", "\x80\x02N" + std::string(200000, '\x85') + ".");
    RunResult deep = run_mtool({"scan", dir + "/deep.pkl"});
    CHECK(deep.exit_code == 0);
    CHECK(deep.seconds < 20);  // a guard against hangs, not a timing: CI machines are shared
    for (const auto& [name, bytes] : cases) {
      const std::string& case_name = name;  // CAPTURE's lambda cannot name a structured binding (C++17)
      CAPTURE(case_name);
      write_file(dir + "/" + name, bytes);
      RunResult result = run_mtool({"scan", "--json", dir + "/" + name});
      CHECK(result.signal == 0);
      CHECK(result.seconds < 20);  // a guard against hangs, not a timing: CI machines are shared
      CHECK(result.max_rss_kib - startup_rss_kib() < 16 * 1024);
      json report = json::parse(result.out.substr(0, result.out.find('\n')));
      if (name == "huge_memo.pkl") {
        CHECK(result.exit_code == 0);  // a large memo key is legal
        continue;
      }
      CHECK(report["complete"] == false);
      std::string note = report["not_scanned"].dump();
      CHECK(note.find("offset") != std::string::npos);
      CHECK(result.exit_code == (name == "truncated.pkl" ? 1 : 3));  // os.system was named before the cut
    }
  }

  TEST_CASE("names in a pickle cannot drive the terminal") {
    // GLOBAL os / "evil<ESC>[2J<CR>safe<0xff>": clear the screen, overwrite the line, not UTF-8.
    std::string dir = scratch_dir("terminal");
    write_file(dir + "/escape.pkl", std::string("\x80\x02" "cos\nevil\x1b[2J\rsafe\xff\n" "q\x00.", 24));
    for (const auto& args : std::vector<std::vector<std::string>>{{"scan", dir + "/escape.pkl"},
                                                                  {"inspect", "--all", dir + "/escape.pkl"}}) {
      CAPTURE(args[0]);
      RunResult result = run_mtool(args);
      CHECK(result.exit_code == 1);  // the os module is dangerous whatever the name
      CHECK(result.out.find("evil\\x1b[2J\\x0dsafe\\xff") != std::string::npos);
      bool only_printable = std::all_of(result.out.begin(), result.out.end(), [](char c) {
        return c == '\n' || static_cast<unsigned char>(c) >= 0x20;
      });
      CHECK_MESSAGE(only_printable, result.out);
      CHECK(result.out.find('\xff') == std::string::npos);
      RunResult json = run_mtool({args[0], "--json", dir + "/escape.pkl"});
      CHECK(json.out.find("evil\\u001b[2J\\rsafe") != std::string::npos);  // JSON escapes them itself
    }
  }

  TEST_CASE("file names cannot drive the terminal; wide names align; symlinked folders are named as skipped") {
    std::string dir = scratch_dir("names");
    fs::create_directories(dir + "/target");
    fs::copy_file(fixture("state_dict.pt"), dir + "/target/hidden.pt");
    fs::create_directories(dir + "/tree");
    fs::create_directory_symlink(dir + "/target", dir + "/tree/linked");
    std::string escape_name = dir + "/tree/a\x1b]0;owned\x07\x1b[2Jb\tc\nd.pt";
    write_file(escape_name, read_file(fixture("state_dict.pt")));
    write_file(dir + "/tree/模型.pt", read_file(fixture("empty.pt")));
    write_file(dir + "/tree/plain.pt", read_file(fixture("empty.pt")));
    RunResult result = run_mtool({"scan", dir + "/tree"});
    CHECK(result.exit_code == 0);
    bool only_printable = std::all_of(result.out.begin(), result.out.end(), [](char c) {
      return c == '\n' || static_cast<unsigned char>(c) >= 0x20;
    });
    CHECK_MESSAGE(only_printable, result.out);
    CHECK(result.out.find("a\\x1b]0;owned\\x07\\x1b[2Jb\\x09c\\x0ad.pt") != std::string::npos);
    // The two "no pickle found" notes start in the same terminal column: 模 and 型 take two each.
    size_t plain = result.out.find("plain.pt");
    size_t wide = result.out.find("模型.pt");
    REQUIRE(plain != std::string::npos);
    REQUIRE(wide != std::string::npos);
    auto note_column = [&](size_t at, size_t wide_chars) {
      size_t line_start = result.out.rfind('\n', at) + 1;
      size_t note = result.out.find("no pickle found", at);
      return note - line_start - wide_chars * 3 + wide_chars * 2;  // bytes to columns: 3 bytes, 2 columns each
    };
    CHECK(note_column(plain, 0) == note_column(wide, 2));
    CHECK(result.out.find(" \n") == std::string::npos);  // no trailing spaces
    CHECK(result.out.find("hidden.pt") == std::string::npos);  // the link is not followed...
    CHECK(result.err.find("note: 1 symlinked folder not followed (" + dir + "/tree/linked)") != std::string::npos);
    RunResult named = run_mtool({"scan", dir + "/tree/linked"});  // ...but followed when named
    CHECK(named.out.find("hidden.pt") != std::string::npos);
    CHECK(named.err.empty());
  }

  TEST_CASE("unreadable paths exit 2 unless something is dangerous") {
    RunResult missing = run_mtool({"scan", fixture("nope.pt"), fixture("state_dict.pt")});
    CHECK(missing.exit_code == 2);
    CHECK(missing.one_error_line());
    // --json: the unreadable file still gets its document, before the others.
    RunResult json_run = run_mtool({"scan", "--json", fixture("nope.pt"), fixture("state_dict.pt")});
    CHECK(json_run.exit_code == 2);
    json first = json::parse(json_run.out.substr(0, json_run.out.find('\n')));
    CHECK(first["path"] == fixture("nope.pt"));
    CHECK(first["status"] == "unreadable");
    CHECK(first["verdict"] == "unknown");
    CHECK(first["error"].get<std::string>().find("No such file") != std::string::npos);
  }

  TEST_CASE("an incomplete scan is never verdict safe") {
    std::string dir = scratch_dir("incomplete");
    std::string zip = make_zip({{"secret.pkl", "\x12\x34\x56 ciphertext"}});
    zip[6] = 1;                           // local header: encrypted
    zip[zip.find("PK\x01\x02") + 8] = 1;  // central directory: encrypted
    write_file(dir + "/encrypted.zip", zip);
    RunResult result = run_mtool({"scan", "--json", dir + "/encrypted.zip"});
    json report = json::parse(result.out.substr(0, result.out.find('\n')));
    CHECK(report["status"] == "incomplete");
    CHECK(report["verdict"] == "unknown");
    CHECK(result.exit_code == 3);
  }
}
