#include <doctest/doctest.h>

#include "archive/zip_archive.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::make_zip;

TEST_CASE("reads stored and deflated records") {
  std::string text(5000, 'x');
  std::string zip = make_zip({{"archive/version", "3\n"}, {"archive/code/a.py", text, true}});
  ZipArchive archive(zip);
  REQUIRE(archive.entries().size() == 2);
  const ZipEntry* version = archive.find("archive/version");
  REQUIRE(version != nullptr);
  CHECK(archive.read(*version, 64) == "3\n");
  const ZipEntry* code = archive.find("archive/code/a.py");
  REQUIRE(code != nullptr);
  CHECK(code->method == 8);
  CHECK(code->compressed_size < code->uncompressed_size);
  CHECK(archive.read(*code, 1 << 20) == text);
  CHECK_THROWS_WITH_AS(archive.read(*code, 100), doctest::Contains("more than the 100"), FormatError);
}

TEST_CASE("reads zip64 central directories") {
  std::string zip = make_zip({{"a/data.pkl", "abc"}, {"a/version", "3\n"}}, true);
  ZipArchive archive(zip);
  REQUIRE(archive.entries().size() == 2);
  CHECK(archive.entries()[0].uncompressed_size == 3);
  CHECK(archive.read(*archive.find("a/version"), 64) == "3\n");
}

TEST_CASE("a truncated archive says where it ends and which record it was in") {
  std::string zip = make_zip({{"m/data.pkl", std::string(300, 'a')}, {"m/data/0", std::string(3000, 'b')}});
  std::string cut = zip.substr(0, 1000);
  CHECK_THROWS_WITH_AS(ZipArchive{cut},
                       doctest::Contains("central directory not found: the file ends at byte 1000, inside record 2 "
                                         "('m/data/0'"),
                       FormatError);
}

TEST_CASE("a central directory past the end of the file is reported with both sizes") {
  std::string zip = make_zip({{"m/data.pkl", "abc"}});
  // Point the end record's directory offset 1000 bytes too far.
  size_t end = zip.size() - 22;
  uint32_t offset = static_cast<uint8_t>(zip[end + 16]) | static_cast<uint8_t>(zip[end + 17]) << 8;
  offset += 1000;
  zip[end + 16] = static_cast<char>(offset & 0xff);
  zip[end + 17] = static_cast<char>(offset >> 8);
  CHECK_THROWS_WITH_AS(ZipArchive{zip}, doctest::Contains("file ends at byte"), FormatError);
}

TEST_CASE("overlapping records are refused") {
  std::string zip = make_zip({{"m/a", std::string(100, 'a')}, {"m/b", std::string(100, 'b'), false, -1, 10}});
  CHECK_THROWS_WITH_AS(ZipArchive{zip}, doctest::Contains("overlap"), FormatError);
}

TEST_CASE("records claiming absurd sizes are refused") {
  SUBCASE("stored record whose sizes disagree") {
    std::string zip = make_zip({{"m/a", "abc", false, 1ll << 31}});
    CHECK_THROWS_WITH_AS(ZipArchive{zip}, doctest::Contains("stored uncompressed but declares"), FormatError);
  }
  SUBCASE("deflated record claiming more than deflate can produce") {
    std::string zip = make_zip({{"m/a", std::string(100, 'a'), true, 1ll << 31}});
    CHECK_THROWS_WITH_AS(ZipArchive{zip}, doctest::Contains("more than deflate can produce"), FormatError);
  }
}

TEST_CASE("a damaged record fails its CRC check") {
  std::string zip = make_zip({{"m/data.pkl", "hello world"}});
  zip[30 + 10 + 2] = 'X';  // inside the content
  ZipArchive archive(zip);
  CHECK_THROWS_WITH_AS(archive.read(archive.entries()[0], 100), doctest::Contains("CRC"), FormatError);
}

TEST_CASE("garbage is not a zip") {
  CHECK_FALSE(looks_like_zip("hello"));
  CHECK(looks_like_zip(make_zip({})));
  CHECK_THROWS_AS(ZipArchive{std::string_view("PK\x03\x04", 4)}, FormatError);
}
