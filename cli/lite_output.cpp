#include "lite_output.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

#include "archive/zip_archive.h"
#include "archive/repack.h"
#include "backport/backport_plan.h"
#include "inspect/inspector.h"
#include "io/error.h"
#include "io/mapped_file.h"
#include "run/bench_plan.h"

namespace mtool::cli {

void add_output_options(CLI::App& command, OutputOptions& options) {
  command.add_flag("--force", options.force, "Replace the output if it exists (never the input)");
  command.add_flag("--no-verify", options.no_verify, "Do not run both models to compare their outputs");
  command.add_option("--input-shape", options.input_shapes, "Input shape for the comparison run (e.g. 1,3,224,224)")
      ->type_name("N,C,H,W")
      ->allow_extra_args(false);
  command.add_option("--tolerance", options.tolerance, "Largest output difference verification accepts (default 1e-4)")
      ->check(CLI::NonNegativeNumber);
  command.add_flag("--json", options.json, "One JSON document describing the result");
}

std::string verification_summary(const OutputOptions& options, const nlohmann::json& model_inputs,
                                 const nlohmann::json& compared, const char* reference) {
  if (!options.verify()) return " (not run: --no-verify)";
  return fmt::format("; outputs match {} on {}: largest difference {:g}", reference, model_inputs["inputs"].dump(),
                     compared["max_abs_diff"].get<double>());
}

nlohmann::json verification_inputs(const ModelReport& report, const std::vector<std::string>& input_shapes) {
  std::vector<Shape> shapes;
  for (const std::string& text : input_shapes) shapes.push_back(parse_shape(text));
  try {
    return {{"inputs", plan_bench(report, shapes).inputs}};
  } catch (const Error& error) {
    throw Error(ErrorKind::Usage, fmt::format("{} (or --no-verify to skip running the models)", error.what()));
  }
}

void keep_raw_output(const std::string& raw, const AtomicOutput& output, const std::string& final_path) {
  std::error_code error;
  MappedFile raw_file(raw);
  if (!looks_like_zip(raw_file.bytes())) {
    std::filesystem::copy_file(raw, output.temp_path(), std::filesystem::copy_options::overwrite_existing, error);
    if (error) throw Error(ErrorKind::Io, fmt::format("cannot write {}: {}", output.temp_path(), error.message()));
    return;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(output.temp_path().c_str(), "wb"), std::fclose);
  if (!out) throw Error(ErrorKind::Io, fmt::format("cannot write {}", output.temp_path()));
  repack_archive(raw_file.bytes(), std::filesystem::path(final_path).stem().string(), out.get());
}

void check_written(const std::string& path, int64_t expected, bool flatbuffer) {
  ModelReport written = inspect_path(path, {});
  ModelFormat format = flatbuffer ? ModelFormat::LiteFlatbuffer : ModelFormat::Lite;
  if (written.format != format || written.bytecode_version != expected) {
    throw Error(ErrorKind::Format, fmt::format("the written file reads as {} bytecode {}, not {} bytecode {}",
                                               format_name(written.format),
                                               written.bytecode_version ? std::to_string(*written.bytecode_version) : "none",
                                               format_name(format), expected));
  }
}

void check_outputs_agree(const nlohmann::json& compared, double tolerance) {
  if (!compared.contains("max_abs_diff")) return;
  double difference = compared["max_abs_diff"].is_number() ? compared["max_abs_diff"].get<double>() : NAN;
  if (!(difference <= tolerance)) {
    throw Error(ErrorKind::Format, fmt::format("verification failed: outputs differ by {} (more than --tolerance {}); "
                                               "nothing written", difference, tolerance));
  }
}

}  // namespace mtool::cli
