// The write workflow of backport and convert, driven by a fake LibTorch: the
// output is verified before it is renamed into place, and a failure at any
// step writes nothing, leaves no temporary and keeps an existing output.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "backport/verified_write.h"
#include "inspect/inspector.h"
#include "io/error.h"
#include "zip_builder.h"

using namespace mtool;
namespace fs = std::filesystem;

namespace {

// The smallest archive mtool's reader calls a lite model of bytecode `version`:
// bytecode.pkl holding the tuple (version,).
std::string lite_archive(int version) {
  std::string bytecode = std::string("\x80\x02K", 3) + static_cast<char>(version) + std::string("\x85q\x00.", 4);
  return test::make_zip(
      {{"m/bytecode.pkl", bytecode}, {"m/data.pkl", std::string("\x80\x02}q\x00.", 6)}, {"m/version", "3\n"}});
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct FakeWriter : LiteWriter {
  std::string bytes = lite_archive(6);
  int64_t claimed = 6;
  nlohmann::json answer = {{"max_abs_diff", 0.0}};
  bool fail_write = false;
  std::string output;  // the final path, to check it is untouched during compare()
  bool output_existed_at_compare = false;
  std::string existing_at_compare;            // its content then
  std::optional<int64_t> candidate_bytecode;  // what mtool's reader saw in the candidate

  int64_t write(const std::string& path) override {
    if (fail_write) throw Error(ErrorKind::Format, "LibTorch refused");
    std::ofstream(path, std::ios::binary) << bytes;
    return claimed;
  }
  nlohmann::json compare(const std::string& candidate) override {
    output_existed_at_compare = fs::exists(output);
    if (output_existed_at_compare) existing_at_compare = read(output);
    candidate_bytecode = inspect_path(candidate, {}).bytecode_version;
    return answer;
  }
};

// A fresh folder; the test's files are only ever there.
std::string folder(const char* name) {
  fs::path dir = fs::temp_directory_path() / (std::string("mtool-verified-write-") + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("write_verified: the output is verified before it takes its name") {
  std::string dir = folder("ok");
  FakeWriter writer;
  writer.output = dir + "/out.ptl";
  WrittenModel written = write_verified({writer.output, false, 6, false, 1e-4}, writer);
  CHECK(written.bytecode == 6);
  CHECK(written.compared["max_abs_diff"] == 0.0);
  CHECK_FALSE(writer.output_existed_at_compare);  // compared while still a temporary
  CHECK(writer.candidate_bytecode == 6);          // and the temporary already read as bytecode 6
  CHECK(inspect_path(writer.output, {}).bytecode_version == 6);
  CHECK(entries(dir) == 1);  // no temporary left beside it
}

TEST_CASE("write_verified: a failure at any step writes nothing and keeps an existing output") {
  for (const char* failure : {"write", "wrong-version", "not-lite", "outputs-differ", "not-a-number"}) {
    CAPTURE(failure);
    std::string dir = folder("fail");
    std::string output = dir + "/out.ptl";
    for (bool existing : {false, true}) {
      CAPTURE(existing);
      if (existing) std::ofstream(output) << "the previous output";
      FakeWriter writer;
      writer.output = output;
      std::string name = failure;
      if (name == "write") writer.fail_write = true;
      if (name == "wrong-version") writer.claimed = 5;
      if (name == "not-lite") writer.bytes = "not a zip";
      if (name == "outputs-differ") writer.answer = {{"max_abs_diff", 0.5}};
      if (name == "not-a-number") writer.answer = {{"max_abs_diff", nullptr}};
      CHECK_THROWS_AS(write_verified({output, /*force=*/true, 6, false, 1e-4}, writer), Error);
      CHECK(fs::exists(output) == existing);
      if (existing) CHECK(read(output) == "the previous output");
      CHECK(entries(dir) == (existing ? 1u : 0u));  // temporaries removed
    }
  }
}

TEST_CASE("write_verified: the messages say what went wrong") {
  std::string dir = folder("messages");
  FakeWriter writer;
  writer.claimed = 5;
  CHECK_THROWS_WITH_AS(write_verified({dir + "/a.ptl", false, 6, false, 1e-4}, writer),
                       "LibTorch wrote bytecode 5 instead of 6", Error);
  writer = FakeWriter();
  writer.bytes = lite_archive(5);
  writer.claimed = 6;
  CHECK_THROWS_WITH_AS(write_verified({dir + "/b.ptl", false, std::nullopt, false, 1e-4}, writer),
                       "the written file reads as lite bytecode 5, not lite bytecode 6", Error);
  writer = FakeWriter();
  writer.answer = {{"max_abs_diff", 0.5}};
  CHECK_THROWS_WITH_AS(write_verified({dir + "/c.ptl", false, 6, false, 0.1}, writer),
                       "verification failed: outputs differ by 0.5 (more than --tolerance 0.1); nothing written",
                       Error);
  CHECK(entries(dir) == 0);
}

TEST_CASE("write_verified: an existing output without force is refused before LibTorch runs") {
  std::string dir = folder("exists");
  std::string output = dir + "/out.ptl";
  std::ofstream(output) << "kept";
  FakeWriter writer;
  writer.fail_write = true;  // would throw a different error if reached
  try {
    write_verified({output, false, 6, false, 1e-4}, writer);
    FAIL("expected a usage error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::Usage);
  }
  CHECK(read(output) == "kept");
  CHECK(entries(dir) == 1);
}
