#include <doctest/doctest.h>

#include "scan/scanner.h"
#include "test_bytes.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::make_zip;

namespace {

ScanReport scan(std::string_view bytes, GlobalPolicy policy = {}) { return scan_bytes(bytes, "file", policy); }

// cos\nsystem\n(S'touch marker'\ntR.  -- protocol 0
const std::string kOsSystem = "cos\nsystem\n(S'touch /tmp/mtool-marker'\ntR.";
// pickle.dumps({'a': 1}, protocol=4)
const std::string kBenign = test::from_hex("8004950a000000000000007d948c0161944b01732e");

}  // namespace

TEST_CASE("a plain dangerous pickle") {
  ScanReport report = scan(kOsSystem);
  CHECK(report.container == "pickle");
  CHECK(report.verdict() == Verdict::Dangerous);
  CHECK(report.names(Verdict::Dangerous) == std::vector<std::string>{"os.system"});
  CHECK(report.complete());
}

TEST_CASE("a benign pickle is safe and complete") {
  ScanReport report = scan(kBenign);
  CHECK(report.verdict() == Verdict::Safe);
  CHECK(report.complete());
  CHECK(report.pickles == 1);
}

TEST_CASE("a second pickle hidden after a harmless first is scanned") {
  ScanReport report = scan(kBenign + kOsSystem);
  CHECK(report.pickles == 2);
  CHECK(report.verdict() == Verdict::Dangerous);
}

TEST_CASE("pickles in zips, nested zips, with any name, flags or CRC") {
  SUBCASE("nested zip with a misleading extension") {
    std::string inner = make_zip({{"data.txt", kOsSystem}});
    ScanReport report = scan(make_zip({{"outer/readme.md", "hello"}, {"outer/inner.zip", inner}}));
    REQUIRE(report.verdict() == Verdict::Dangerous);
    CHECK(report.globals[0].where == "outer/inner.zip/data.txt");
  }
  SUBCASE("a CRC that does not match is reported and the record still scanned") {
    std::string zip = make_zip({{"m/data.pkl", kOsSystem}});
    zip[30 + 10 + 40] ^= 0x01;  // inside the quoted command, after the globals
    ScanReport report = scan(zip);
    CHECK(report.verdict() == Verdict::Dangerous);
    CHECK_FALSE(report.complete());
  }
  SUBCASE("a zip without its central directory is scanned through its local headers") {
    std::string zip = make_zip({{"m/data.pkl", kOsSystem}, {"m/other", std::string(200, 'x')}});
    ScanReport report = scan(std::string_view(zip).substr(0, zip.size() - 60));
    CHECK(report.verdict() == Verdict::Dangerous);
    CHECK_FALSE(report.complete());
  }
}

TEST_CASE("a pickle that breaks part way: globals before the break count, the rest is not scanned") {
  ScanReport report = scan(kOsSystem.substr(0, kOsSystem.size() - 3) + "\xff\xff");
  CHECK(report.verdict() == Verdict::Dangerous);
  CHECK_FALSE(report.complete());
}

TEST_CASE("data that breaks before naming a global is not a pickle; one that names a global is") {
  CHECK(scan("(this is prose)").verdict() == Verdict::Safe);
  CHECK(scan("(this is prose)").complete());
  CHECK(scan("(this is prose)").container == "none");
  // pickle.load imports cat.dog before it fails on 'b': that import runs the module's code.
  ScanReport text = scan("cat\ndog\nbird\n");
  CHECK(text.container == "pickle");
  CHECK(text.verdict() == Verdict::Unknown);
  // Not importable at all (invalid UTF-8): Python fails before importing anything.
  CHECK(scan(std::string_view("cmod\n\xf8\n", 7)).verdict() == Verdict::Safe);
}

TEST_CASE("BUILD on an imported module and computed global names are dangerous") {
  // protocol 4: 'torch._utils' MEMOIZE '_rebuild_tensor' MEMOIZE STACK_GLOBAL, then BUILD on it
  std::string overwrite = test::from_hex(
      "8004" "8c0c746f7263682e5f7574696c73" "94" "8c0f5f72656275696c645f74656e736f72" "94" "93"
      "7d" "8c046576616c" "8c086275696c74696e73" "73" "62" "2e");
  ScanReport report = scan(overwrite);
  CHECK(report.verdict() == Verdict::Dangerous);
  REQUIRE(!report.globals.empty());
  CHECK(report.globals.back().reason.find("overwrites") != std::string::npos);
}

TEST_CASE("NumPy object arrays carry pickles") {
  std::string header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
  header += std::string(128 - 10 - header.size() - 1, ' ') + "\n";  // the whole header fills 128 bytes
  std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header + kOsSystem;
  ScanReport report = scan(npy);
  CHECK(report.container == "npy");
  CHECK(report.verdict() == Verdict::Dangerous);
  CHECK(report.globals[0].where == "object array");
}

TEST_CASE("encrypted zip records are not called safe") {
  std::string zip = make_zip({{"secret.pkl", "\x12\x34\x56 ciphertext"}});
  zip[6] = 1;  // local header flags
  zip[zip.find("PK\x01\x02") + 8] = 1;  // central directory flags
  ScanReport report = scan(zip);
  CHECK_FALSE(report.complete());
  CHECK(report.not_scanned[0].find("encrypted") != std::string::npos);
}
