// The zip writer and the repacking built on it, read back by the zip reader:
// names under the new top folder, PyTorch's choice of what to deflate, stored
// records aligned for reading in place, replaced and added records.
#include <doctest/doctest.h>

#include <cstdio>
#include <memory>

#include "archive/repack.h"
#include "archive/top_folder.h"
#include "archive/zip_archive.h"
#include "archive/zip_writer.h"
#include "zip_builder.h"

using namespace mtool;
using mtool::test::make_zip;

namespace {

// Runs `write` on a temporary FILE* and returns what it wrote.
template <typename F>
std::string written_by(F&& write) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  REQUIRE(file);
  write(file.get());
  std::fflush(file.get());
  std::string bytes;
  std::rewind(file.get());
  char buffer[4096];
  while (size_t count = std::fread(buffer, 1, sizeof buffer, file.get())) bytes.append(buffer, count);
  return bytes;
}

std::vector<std::string> names(const ZipArchive& zip) {
  std::vector<std::string> out;
  for (const ZipEntry& entry : zip.entries()) out.push_back(entry.name);
  return out;
}

}  // namespace

TEST_CASE("zip writer: stored records start on 64-byte boundaries, deflated ones round-trip") {
  std::string text(5000, 'a');
  std::string bytes = written_by([&](std::FILE* out) {
    ZipWriter writer(out);
    writer.add_stored("m/data.pkl", std::string("\x80\x02}.", 4));
    writer.add_deflated("m/code/__torch__.py", text);
    writer.add_stored("m/data/0", std::string(24, '\x01'));
    writer.finish();
  });
  ZipArchive zip(bytes);
  CHECK(names(zip) == std::vector<std::string>{"m/data.pkl", "m/code/__torch__.py", "m/data/0"});
  const ZipEntry* code = zip.find("m/code/__torch__.py");
  REQUIRE(code != nullptr);
  CHECK(code->method == 8);
  CHECK(code->compressed_size < text.size());
  CHECK(zip.read(*code, 1 << 20) == text);
  for (const char* stored : {"m/data.pkl", "m/data/0"}) {
    CAPTURE(stored);
    const ZipEntry* entry = zip.find(stored);
    REQUIRE(entry != nullptr);
    CHECK(entry->method == 0);
    Bytes data = zip.stored_bytes(*entry);
    CHECK((data.data() - bytes.data()) % 64 == 0);
  }
  CHECK(zip.read(*zip.find("m/data/0"), 100) == std::string(24, '\x01'));
}

TEST_CASE("repacking renames the top folder, replaces in place and adds at the end") {
  std::string input = make_zip({{"old/data.pkl", std::string("\x80\x02}.", 4)},
                                {"old/extra/mtool.json", "{\"crop\": 224}"},
                                {"old/code/__torch__.py", std::string(3000, 'x')},
                                {"old/version", "3\n"}});
  std::string output = written_by([&](std::FILE* out) {
    repack_archive(input, "new", out, {{"extra/mtool.json", "{}"}, {"extra/labels.txt", "cat\ndog\n"}});
  });
  ZipArchive zip(output);
  CHECK(names(zip) == std::vector<std::string>{"new/data.pkl", "new/extra/mtool.json", "new/code/__torch__.py",
                                               "new/version", "new/extra/labels.txt"});
  CHECK(first_record_folder(zip.entries()) == "new");
  CHECK(common_top_folder(zip.entries()) == "new");
  CHECK(zip.read(*zip.find("new/extra/mtool.json"), 100) == "{}");
  CHECK(zip.read(*zip.find("new/extra/labels.txt"), 100) == "cat\ndog\n");
  CHECK(zip.find("new/code/__torch__.py")->method == 8);
  CHECK(zip.find("new/version")->method == 0);
  CHECK(zip.read(*zip.find("new/code/__torch__.py"), 1 << 20) == std::string(3000, 'x'));

  // An empty name keeps the first record's folder, as LibTorch reads it.
  ZipArchive kept(written_by([&](std::FILE* out) { repack_archive(input, "", out); }));
  CHECK(first_record_folder(kept.entries()) == "old");
  CHECK(kept.entries().size() == 4);
}

TEST_CASE("the top-folder rules") {
  CHECK(below_top_folder("archive/data.pkl") == "data.pkl");
  CHECK(below_top_folder("archive/code/__torch__.py") == "code/__torch__.py");
  CHECK(below_top_folder("version") == "version");
  std::string mixed = make_zip({{"a/data.pkl", "x"}, {"b/version", "3\n"}});
  ZipArchive zip(mixed);
  CHECK(first_record_folder(zip.entries()) == "a");
  CHECK(common_top_folder(zip.entries()) == "");  // inspect asks every record to share it
  CHECK(is_compressed_record("m/code/__torch__.py"));
  CHECK_FALSE(is_compressed_record("m/data/0"));
}
