#pragma once
// The write workflow backport and convert share. LibTorch writes the model to
// a scratch file; mtool repacks it into the output's temporary, re-reads that
// with its own reader, has it loaded and run beside the original, and only
// then renames it into place. Whatever fails, nothing is left behind and an
// existing output stays as it was.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mtool {

// The two steps only LibTorch can do. The CLI's implementation calls the
// runtime library; the unit tests pass a fake.
class LiteWriter {
 public:
  virtual ~LiteWriter() = default;
  // Writes the lite model to `path` (a scratch file beside the output) and
  // returns the bytecode version LibTorch says it wrote.
  virtual int64_t write(const std::string& path) = 0;
  // Loads `candidate` and runs it beside the original: {"max_abs_diff": D},
  // or {"not_compared": why}. Throws when it does not load.
  virtual nlohmann::json compare(const std::string& candidate) = 0;
};

struct VerifiedWrite {
  std::string output;
  bool force = false;               // replace an existing output (never a device or FIFO)
  std::optional<int64_t> bytecode;  // the version that must be written; unset: what write() reports
  bool flatbuffer = false;          // a flatbuffer lite model rather than a zip archive
  double tolerance = 1e-4;          // largest output difference accepted
};

struct WrittenModel {
  int64_t bytecode = 0;
  nlohmann::json compared;  // compare()'s answer
};

// Error(Usage) when the output exists without `force`; Error(Format) when the
// written file is not what was asked or its outputs differ by more than the
// tolerance; Error(Io) when it cannot be written.
WrittenModel write_verified(const VerifiedWrite& request, LiteWriter& writer);

}  // namespace mtool
