#pragma once
// Rendering of what backport and convert wrote: one summary for people
// (output, versions, sizes, how it was verified), one JSON document for
// programs (schemas mtool.backport/1 and mtool.convert/1).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "io/json_text.h"
#include "lite_output.h"

namespace mtool::cli {

// What was written and how it was verified.
struct LiteOutputResult {
  std::string input;
  std::string output;
  uint64_t size_before = 0;
  uint64_t size_after = 0;
  nlohmann::json model_inputs;  // verification_inputs()
  nlohmann::json compared;      // the comparison run's answer
};

// "; outputs match ... largest difference D", or what was not compared and why.
std::string verification_summary(const OutputOptions& options, const nlohmann::json& model_inputs,
                                 const nlohmann::json& compared, const char* reference);

// The --json fields saying what verification compared: verified,
// max_abs_diff, inputs, inputs_assumed, qengine (the quantized engine the
// comparison ran on), not_compared (why not, or null).
nlohmann::json verification_fields(const OutputOptions& options, const nlohmann::json& model_inputs,
                                   const nlohmann::json& compared);

std::string backport_text(const LiteOutputResult& result, int64_t from, int64_t to, const OutputOptions& options);
nlohmann::json backport_json(const LiteOutputResult& result, int64_t from, int64_t to, const OutputOptions& options);
// --json always answers with one document, even when there was nothing to do.
nlohmann::json backport_nothing_to_do_json(const std::string& input, int64_t bytecode);

struct ConvertedAs {
  int64_t bytecode = 0;
  bool flatbuffer = false;
  bool optimized = false;
};
std::string convert_text(const LiteOutputResult& result, const ConvertedAs& as, const OutputOptions& options);
nlohmann::json convert_json(const LiteOutputResult& result, const ConvertedAs& as, const OutputOptions& options);

}  // namespace mtool::cli
