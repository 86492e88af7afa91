#include "backport/verified_write.h"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

#include "archive/repack.h"
#include "archive/zip_archive.h"
#include "inspect/inspector.h"
#include "io/atomic_output.h"
#include "io/error.h"
#include "io/mapped_file.h"

namespace mtool {

namespace {

// Copies the file LibTorch wrote at `raw` into `output`'s temporary: zip
// archives are repacked under the final file's name (LibTorch stores tensors
// and source uncompressed; repacking gives back PyTorch's own compression),
// flatbuffers copied.
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
  repack_archive(raw_file.bytes(), std::filesystem::path(final_path).stem().string(), out.get(), {},
                 /*share_constants=*/true);
}

// Re-reads the temporary with mtool's own reader: it must be a lite model
// (zip or flatbuffer, as asked) of bytecode `expected`.
void check_written(const std::string& path, int64_t expected, bool flatbuffer) {
  ModelReport written = inspect_path(path, {});
  ModelFormat format = flatbuffer ? ModelFormat::LiteFlatbuffer : ModelFormat::Lite;
  if (written.format != format || written.bytecode_version != expected) {
    throw Error(ErrorKind::Format,
                fmt::format("the written file reads as {} bytecode {}, not {} bytecode {}", format_name(written.format),
                            written.bytecode_version ? std::to_string(*written.bytecode_version) : "none",
                            format_name(format), expected));
  }
}

// A failed verification keeps nothing: outputs further apart than the
// tolerance, or not a number, are an error.
void check_outputs_agree(const nlohmann::json& compared, double tolerance) {
  if (!compared.contains("max_abs_diff")) return;
  double difference = compared["max_abs_diff"].is_number() ? compared["max_abs_diff"].get<double>() : NAN;
  if (!(difference <= tolerance)) {
    throw Error(ErrorKind::Format, fmt::format("verification failed: outputs differ by {} (more than --tolerance {}); "
                                               "nothing written",
                                               difference, tolerance));
  }
}

}  // namespace

WrittenModel write_verified(const VerifiedWrite& request, LiteWriter& writer) {
  AtomicOutput output(request.output, request.force);
  WrittenModel written;
  {
    TempFile raw(request.output);
    written.bytecode = writer.write(raw.path());
    if (request.bytecode && written.bytecode != *request.bytecode) {
      throw Error(ErrorKind::Format,
                  fmt::format("LibTorch wrote bytecode {} instead of {}", written.bytecode, *request.bytecode));
    }
    keep_raw_output(raw.path(), output, request.output);
  }
  // Verified before it is kept: re-read by mtool's own reader, then loaded
  // and (unless not asked) run beside the original.
  check_written(output.temp_path(), written.bytecode, request.flatbuffer);
  written.compared = writer.compare(output.temp_path());
  check_outputs_agree(written.compared, request.tolerance);
  output.commit();
  return written;
}

}  // namespace mtool
