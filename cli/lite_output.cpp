#include "lite_output.h"

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "operator_flag.h"
#include "qengine_flag.h"
#include "runtime_call.h"

namespace mtool::cli {

void add_output_options(CLI::App& command, OutputOptions& options) {
  command.add_flag("--force", options.force, "Replace the output if it exists (never the input)");
  command.add_flag("--no-verify", options.no_verify, "Do not run both models to compare their outputs");
  command
      .add_option(
          "--input-shape", options.input_shapes,
          "Input shape for the comparison run, once per tensor argument or List[Tensor] element (e.g. 1,3,224,224)")
      ->type_name("N,C,H,W")
      ->allow_extra_args(false);
  add_input_value_option(command, options.input_values);
  command.add_option("--tolerance", options.tolerance, "Largest output difference verification accepts (default 1e-4)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return text.starts_with("-") ? std::string("must be 0 or more, not ") + text : std::string();
          },
          "", "non-negative"));
  add_qengine_flag(command, options.qengine);
  add_load_ops_option(command, options.load_ops);
  command.add_flag("--json", options.json, "One JSON document describing the result");
}

void add_input_value_option(CLI::App& command, std::vector<std::string>& values) {
  command
      .add_option("--input-value", values,
                  "Value of an int, float or bool forward argument, e.g. scale=0.5 (repeatable; default 1, 1.0, "
                  "false, said to be assumed)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
}

nlohmann::json compare_with_runtime(const std::string& reference, const char* reference_loader,
                                    const std::string& candidate, const OutputOptions& options,
                                    const nlohmann::json& model_inputs) {
  return call_runtime("compare", {{"reference", reference},
                                  {"reference_loader", reference_loader},
                                  {"candidate", candidate},
                                  {"verify", options.verify()},
                                  {"qengine", options.qengine},
                                  {"model", model_inputs}});
}

}  // namespace mtool::cli
