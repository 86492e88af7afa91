// Whether damage is "truncated" or "damaged" is carried by the error from
// where it was thrown (FormatError's Damage), through the wrappers that add
// context to the message, to the diagnosis code.
#include <doctest/doctest.h>

#include "inspect/inspector.h"
#include "test_bytes.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::from_hex;
using mtool::test::make_zip;

namespace {

ModelReport report_of(std::string_view bytes) { return inspect_bytes(bytes, "file", {}); }

std::string code_of(const ModelReport& report) {
  return report.diagnoses.empty() ? "" : report.diagnoses.front().code;
}

// pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2): torch.save's legacy magic number.
const std::string kLegacyMagic = from_hex("80028a0a6cfc9c46f9206aa850192e");

}  // namespace

TEST_CASE("the message's words do not decide the kind") {
  CHECK(FormatError("the file ends early: truncated").damage() == Damage::Damaged);
  CHECK(FormatError("bad bytes", Damage::Truncated).damage() == Damage::Truncated);
}

TEST_CASE("bytes that end early are truncated") {
  SUBCASE("a zip cut inside its first record") {
    std::string zip = make_zip({{"m/data.pkl", std::string(500, 'a')}});
    ModelReport report = report_of(std::string_view(zip).substr(0, 300));
    CHECK(report.format == ModelFormat::Corrupt);
    CHECK(report.truncated);
    CHECK(code_of(report) == "truncated");
  }
  SUBCASE("a zip whose central directory lies past the end") {
    std::string zip = make_zip({{"m/data.pkl", "x"}, {"m/version", "3\n"}});
    // Drop bytes in the middle: the end record survives, the directory it points to is cut.
    size_t end_record = zip.size() - 22;
    std::string cut = zip.substr(0, 40) + zip.substr(end_record);
    ModelReport report = report_of(cut);
    CHECK(report.format == ModelFormat::Corrupt);
    CHECK(report.truncated);
    CHECK(code_of(report) == "truncated");
  }
  SUBCASE("a pickle that ends before STOP") {
    ModelReport report = report_of(from_hex("8002 7d71 00"));  // PROTO 2, EMPTY_DICT, BINPUT 0
    CHECK(report.format == ModelFormat::Corrupt);
    CHECK(report.truncated);
    CHECK(code_of(report) == "truncated");
  }
  SUBCASE("the kind survives the legacy reader's wrapper around the pickle's error") {
    ModelReport report = report_of(kLegacyMagic + from_hex("8002 4de903"));  // protocol 1001, cut before STOP
    CHECK(report.damaged_format == ModelFormat::TorchSaveLegacy);
    CHECK(report.damage.starts_with("protocol version pickle: "));
    CHECK(report.truncated);
    CHECK(code_of(report) == "truncated");
  }
}

TEST_CASE("wrong bytes are damaged") {
  SUBCASE("a pickle that refers to a memo entry it never stored") {
    ModelReport report = report_of(std::string_view("\x80\x02]q\x00h\x07.", 8));
    CHECK(report.format == ModelFormat::Corrupt);
    CHECK_FALSE(report.truncated);
    CHECK(code_of(report) == "damaged");
  }
  SUBCASE("a legacy storage whose size overflows 64 bits (2^62 floats), not a wrapped-around small one") {
    // torch.save(_use_new_zipfile_serialization=False)'s pickles, by /usr/bin/python3 with torch 1.13,
    // the storage's numel forged to 2**62 and its bytes left out.
    ModelReport report = report_of(
        from_hex("80028a0a6cfc9c46f9206aa850192e80024de9032e80027d710028581000000070726f746f636f6c5f76657273696f6e"
                 "71014de903580d0000006c6974746c655f656e6469616e710288580a000000747970655f73697a657371037d71042858"
                 "0500000073686f727471054b025803000000696e7471064b0458040000006c6f6e6771074b0475752e80027d71005801"
                 "00000077710163746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a710228285807000000"
                 "73746f72616765710363746f7263680a466c6f617453746f726167650a71045801000000307105580300000063707571"
                 "068a080000000000000040747107514b008a0800000000000000408571084b018571098963636f6c6c656374696f6e73"
                 "0a4f726465726564446963740a710a2952710b74710c52710d732e80025d71005801000000307101612e"));
    CHECK(report.damaged_format == ModelFormat::TorchSaveLegacy);
    CHECK(report.damage.find("overflows 64 bits") != std::string::npos);
    CHECK(code_of(report) == "damaged");
  }
  SUBCASE("a flatbuffer whose root table has no vtable") {
    ModelReport report = report_of(std::string("\x10\0\0\0TFL3", 8) + std::string(16, '\0'));
    CHECK(report.damaged_format == ModelFormat::TfLite);
    CHECK_FALSE(report.truncated);
    CHECK(code_of(report) == "damaged");
  }
}
