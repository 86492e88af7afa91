// Other runtimes' files (GGUF, safetensors, .npy), read by the probe that names
// them, on bytes written here as their specifications lay them out.
#include <doctest/doctest.h>

#include "inspect/probes.h"
#include "io/error.h"

using namespace mtool;

namespace {

std::string u32le(uint32_t value) {
  std::string out;
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
  return out;
}

std::string u64le(uint64_t value) {
  return u32le(static_cast<uint32_t>(value)) + u32le(static_cast<uint32_t>(value >> 32));
}

// An 8-byte little-endian header length, the JSON header, then `data_size` bytes of tensor data.
std::string safetensors(const std::string& header, size_t data_size) {
  return u64le(header.size()) + header + std::string(data_size, '\0');
}

}  // namespace

TEST_CASE("GGUF: version and counts from the fixed header") {
  ModelReport report;
  REQUIRE(try_inspect_foreign_format("GGUF" + u32le(3) + u64le(291) + u64le(24), report));
  CHECK(report.format == ModelFormat::Gguf);
  CHECK(report.description == "GGUF v3 (llama.cpp / ggml)");
  CHECK(report.producer["tensor_count"] == "291");
  CHECK(report.producer["metadata_count"] == "24");
}

TEST_CASE("safetensors: tensors by dtype, metadata, and offsets checked against the data") {
  ModelReport report;
  std::string header = R"({"__metadata__": {"format": "pt"},
    "w": {"dtype": "F16", "shape": [4, 3], "data_offsets": [0, 24]},
    "b": {"dtype": "BF16", "shape": [4], "data_offsets": [24, 32]}})";
  REQUIRE(try_inspect_foreign_format(safetensors(header, 32), report));
  CHECK(report.format == ModelFormat::Safetensors);
  CHECK(report.producer["format"] == "pt");
  REQUIRE(report.tensors);
  CHECK(report.tensors->count == 2);
  CHECK(report.tensors->elements == 16);
  CHECK(report.tensors->bytes == 32);
  CHECK(report.tensors->by_dtype.at("float16").elements == 12);
  CHECK(report.tensors->by_dtype.at("bfloat16").bytes == 8);

  ModelReport past_end;
  std::string beyond = R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 64]}})";
  CHECK_THROWS_WITH_AS(try_inspect_foreign_format(safetensors(beyond, 16), past_end),
                       doctest::Contains("lie outside the 16 bytes"), FormatError);
  ModelReport overflow;
  std::string huge = R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 4]}})";
  CHECK_THROWS_AS(try_inspect_foreign_format(safetensors(huge, 4), overflow), Error);
}

TEST_CASE("bytes that only resemble these formats are not claimed") {
  ModelReport report;
  CHECK_FALSE(try_inspect_foreign_format("GGU", report));
  CHECK_FALSE(try_inspect_foreign_format(u64le(1000) + "{}", report));           // header longer than the file
  CHECK_FALSE(try_inspect_foreign_format(safetensors("{not json", 0), report));  // not JSON: someone else's bytes
  CHECK_FALSE(try_inspect_foreign_format(safetensors("[1, 2]", 0), report));     // JSON, but not a header
  ModelReport numpy;
  CHECK(try_inspect_foreign_format(std::string("\x93NUMPY\x01\x00", 8), numpy));
  CHECK(numpy.description == "NumPy .npy array");
}
