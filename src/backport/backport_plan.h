#pragma once
// What `mtool backport` will do, decided from inspect's report without
// LibTorch: the target bytecode version, the output path, and one clear
// sentence listing what is possible when the target cannot be reached.
#include <cstdio>
#include <optional>
#include <string>

#include "inspect/model_report.h"
#include "inspect/runtime_versions.h"
#include "io/byte_reader.h"

namespace mtool {

// PyTorch registered backports from each version to the one below, down to 4.
constexpr int64_t kOldestBackportTarget = 4;

struct BackportPlan {
  std::string input;
  std::string output;
  int64_t from = 0;
  int64_t to = 0;
  bool nothing_to_do = false;  // --runtime already loads the input
};

// Exactly one of `to` and `runtime` is set. `output` may be empty (default:
// "<stem>.v<N>.ptl" beside the input). Throws Error(Usage) or Error(Format).
BackportPlan plan_backport(const ModelReport& report, std::optional<int64_t> to,
                           const std::optional<RuntimeRelease>& runtime, const std::string& output);

// Records that PyTorch's own writer deflates (TorchScript source and its
// debug information); everything else is stored, as PyTorch stores it.
bool is_compressed_record(const std::string& name);

// Rewrites the zip archive `input` into `out`, record for record, under the
// top folder `archive_name` (as torch.jit names it: the file's stem),
// compressing what is_compressed_record() names.
void repack_archive(Bytes input, const std::string& archive_name, std::FILE* out);

}  // namespace mtool
