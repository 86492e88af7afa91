#include <doctest/doctest.h>
#include <zlib.h>

#include "archive/inflate.h"
#include "io/error.h"
#include "zip_builder.h"

using mtool::DeflateWrapper;
using mtool::FormatError;
using mtool::inflate_stream;

namespace {

std::string deflated(const std::string& text, DeflateWrapper wrapper) {
  if (wrapper == DeflateWrapper::Raw) return mtool::test::raw_deflate(text);
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
                    text.size(), Z_BEST_COMPRESSION) == Z_OK);  // zlib-wrapped, as joblib writes
  out.resize(size);
  return out;
}

// 300 KiB of text that compresses well but not to nothing: several output growths.
std::string sample() {
  std::string text;
  for (int i = 0; text.size() < size_t{300} * 1024; ++i) text += "line " + std::to_string(i * 7919 % 10007) + "\n";
  return text;
}

}  // namespace

TEST_CASE("inflate_stream reads raw and zlib-wrapped streams, with or without a size hint") {
  std::string text = sample();
  for (DeflateWrapper wrapper : {DeflateWrapper::Raw, DeflateWrapper::Zlib}) {
    std::string stream = deflated(text, wrapper);
    CHECK(inflate_stream(stream, text.size(), wrapper) == text);
    CHECK(inflate_stream(stream, 1 << 30, wrapper, text.size()) == text);
    CHECK(inflate_stream(stream, 1 << 30, wrapper, 10) == text);  // a hint that lies low only costs growing
    CHECK(inflate_stream(stream + "trailing bytes", 1 << 30, wrapper) == text);  // a zip's next record
  }
  CHECK(inflate_stream(deflated("", DeflateWrapper::Raw), 0).empty());
}

TEST_CASE("inflate_stream refuses streams that are cut short, damaged or larger than allowed") {
  std::string text = sample();
  std::string stream = deflated(text, DeflateWrapper::Raw);
  const char* refusal = "deflate data is damaged, cut short or too large";
  CHECK_THROWS_WITH_AS(inflate_stream(stream, text.size() - 1), refusal, FormatError);
  CHECK_THROWS_WITH_AS(inflate_stream(stream, text.size() - 1, DeflateWrapper::Raw, text.size()), refusal, FormatError);
  CHECK_THROWS_WITH_AS(inflate_stream(stream.substr(0, stream.size() / 2), 1 << 30), refusal, FormatError);
  CHECK_THROWS_WITH_AS(inflate_stream(stream, 1 << 30, DeflateWrapper::Zlib), refusal, FormatError);  // no zlib header
  CHECK_THROWS_WITH_AS(inflate_stream(std::string(64, '\xff'), 1 << 30), refusal, FormatError);
  CHECK_THROWS_WITH_AS(inflate_stream("", 1 << 30), refusal, FormatError);
}
