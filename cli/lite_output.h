#pragma once
// What backport and convert share in cli/: their output flags and the
// comparison run (the workflow is backport/verified_write.h, the inputs
// planning/verification_inputs.h).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mtool::cli {

// The options backport and convert share: how the output is kept and verified,
// and what the runtime needs to load and run the models.
struct OutputOptions {
  bool force = false;
  bool no_verify = false;
  bool verify() const { return !no_verify; }
  std::vector<std::string> input_shapes;
  std::vector<std::string> input_values;  // --input-value NAME=VALUE for int, float and bool arguments
  double tolerance = 1e-4;
  bool json = false;
  std::string qengine;                // --qengine for the comparison run; empty: qnnpack (the runtime's default)
  std::vector<std::string> load_ops;  // --load-ops: custom operators to load before the models
};

void add_output_options(CLI::App& command, OutputOptions& options);

// --input-value NAME=VALUE as bench, backport and convert take it.
void add_input_value_option(CLI::App& command, std::vector<std::string>& values);

// The runtime library's comparison run for write_verified: `candidate`
// loaded with _load_for_mobile and run beside `reference` (loaded with
// `reference_loader`, "mobile" or "jit") on `model_inputs`.
nlohmann::json compare_with_runtime(const std::string& reference, const char* reference_loader,
                                    const std::string& candidate, const OutputOptions& options,
                                    const nlohmann::json& model_inputs);

}  // namespace mtool::cli
