#pragma once
// The steps backport and convert share to turn a file LibTorch wrote into a
// kept, verified output: repack, re-read, load, compare, commit.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/model_report.h"
#include "io/atomic_output.h"

namespace CLI {
class App;
}

namespace mtool::cli {

// The options backport and convert share: how the output is kept and verified.
struct OutputOptions {
  bool force = false;
  bool no_verify = false;
  bool verify() const { return !no_verify; }
  std::vector<std::string> input_shapes;
  double tolerance = 1e-4;
  bool json = false;
};

void add_output_options(CLI::App& command, OutputOptions& options);

// "; same outputs as ... largest difference D" or " (not run: --no-verify)".
std::string verification_summary(const OutputOptions& options, const nlohmann::json& model_inputs,
                                 const nlohmann::json& compared, const char* reference);

// Inputs to run both models on: --input-shape values, else the stored recipe.
nlohmann::json verification_inputs(const ModelReport& report, const std::vector<std::string>& input_shapes);

// Copies the file LibTorch wrote at `raw` into `output`'s temporary: zip
// archives are repacked under the final file's name, flatbuffers copied.
void keep_raw_output(const std::string& raw, const AtomicOutput& output, const std::string& final_path);

// Re-reads the temporary with mtool's own reader: it must be a lite model
// (zip or flatbuffer, as asked) of bytecode `expected`.
void check_written(const std::string& path, int64_t expected, bool flatbuffer);

// Throws Error(Format) when the comparison run found outputs further apart
// than `tolerance` (or not a number): a failed verification keeps nothing.
void check_outputs_agree(const nlohmann::json& compared, double tolerance);

}  // namespace mtool::cli
