#include "render_lite_output.h"

#include <fmt/format.h>

#include "inspect/runtime_versions.h"
#include "terminal.h"

namespace mtool::cli {

using Json = nlohmann::json;

std::string verification_summary(const OutputOptions& options, const nlohmann::json& model_inputs,
                                 const nlohmann::json& compared, const char* reference) {
  if (!options.verify()) return " (outputs not compared: --no-verify)";
  if (compared.contains("not_compared")) {
    return fmt::format("; outputs not compared: {}", compared["not_compared"].get<std::string>());
  }
  std::string source =
      model_inputs.value("assumed", false) ? fmt::format(" ({})", model_inputs["source"].get<std::string>()) : "";
  // The engine matters to quantized models only: said for them, and whenever --qengine chose it.
  std::string engine = model_inputs.value("quantized", false) || !options.qengine.empty()
                           ? fmt::format(" with quantized engine {}", compared.value("qengine", "?"))
                           : "";
  std::string inputs = model_inputs.value("description", model_inputs["inputs"].dump());
  return fmt::format("; outputs match {} on {}{}{}: largest difference {:g}", reference, inputs, source, engine,
                     compared["max_abs_diff"].get<double>());
}

nlohmann::json verification_fields(const OutputOptions& options, const nlohmann::json& model_inputs,
                                   const nlohmann::json& compared) {
  nlohmann::json none;
  std::string skipped = !options.verify() ? "--no-verify" : compared.value("not_compared", "");
  return {{"verified", compared.contains("max_abs_diff")},
          {"max_abs_diff", compared.contains("max_abs_diff") ? compared["max_abs_diff"] : none},
          {"inputs", model_inputs.contains("inputs") && skipped.empty() ? model_inputs["inputs"] : none},
          {"arguments", model_inputs.contains("arguments") && skipped.empty() ? model_inputs["arguments"] : none},
          {"inputs_assumed", model_inputs.value("assumed", false)},
          {"qengine", compared.contains("qengine") && skipped.empty() ? compared["qengine"] : none},
          {"not_compared", skipped.empty() ? none : nlohmann::json(skipped)}};
}

std::string backport_text(const LiteOutputResult& result, int64_t from, int64_t to, const OutputOptions& options) {
  double ratio = static_cast<double>(result.size_after) / static_cast<double>(result.size_before);
  return fmt::format("{}: bytecode {} -> {}, {} -> {} ({:.3f}x)\n  loads with _load_for_mobile in LibTorch {}{}\n",
                     terminal_safe(result.output), from, to, human_bytes(result.size_before),
                     human_bytes(result.size_after), ratio, linked_libtorch().version,
                     verification_summary(options, result.model_inputs, result.compared, "the original's"));
}

Json backport_json(const LiteOutputResult& result, int64_t from, int64_t to, const OutputOptions& options) {
  double ratio = static_cast<double>(result.size_after) / static_cast<double>(result.size_before);
  Json out = {{"schema", "mtool.backport/1"},
              {"input", result.input},
              {"output", result.output},
              {"from", from},
              {"to", to},
              {"size_before", result.size_before},
              {"size_after", result.size_after},
              {"size_ratio", ratio}};
  out.update(verification_fields(options, result.model_inputs, result.compared));
  return out;
}

Json backport_nothing_to_do_json(const std::string& input, int64_t bytecode) {
  return {{"schema", "mtool.backport/1"}, {"input", input}, {"output", nullptr}, {"from", bytecode}, {"to", bytecode},
          {"nothing_to_do", true}};
}

std::string convert_text(const LiteOutputResult& result, const ConvertedAs& as, const OutputOptions& options) {
  return fmt::format("{}: lite {}, bytecode {}{}, {} -> {}\n  loads with _load_for_mobile{}\n",
                     terminal_safe(result.output), as.flatbuffer ? "flatbuffer" : "archive", as.bytecode,
                     as.optimized ? ", optimized for mobile" : "", human_bytes(result.size_before),
                     human_bytes(result.size_after),
                     verification_summary(options, result.model_inputs, result.compared, "torch::jit::load's"));
}

Json convert_json(const LiteOutputResult& result, const ConvertedAs& as, const OutputOptions& options) {
  Json out = {{"schema", "mtool.convert/1"},       {"input", result.input},          {"output", result.output},
              {"bytecode_version", as.bytecode},   {"flatbuffer", as.flatbuffer},    {"optimized", as.optimized},
              {"size_before", result.size_before}, {"size_after", result.size_after}};
  out.update(verification_fields(options, result.model_inputs, result.compared));
  return out;
}

}  // namespace mtool::cli
