#pragma once
// `mtool scan`: find every pickle in a file (plain, in zips at any depth, in
// legacy torch.save streams, in NumPy object arrays, in 7z and tar archives)
// and classify every global it names. Nothing is ever unpickled.
#include <string>
#include <vector>

#include "io/byte_reader.h"
#include "scan/global_policy.h"

namespace mtool {

struct ScannedGlobal {
  std::string module;
  std::string name;
  Verdict verdict = Verdict::Unknown;
  std::string where;  // the part it was found in: "", "archive/data.pkl", "inner.zip/data.pkl"
  uint64_t offset = 0;
  std::string reason;  // why it is dangerous when that is not its name alone
  std::string qualified() const { return module + "." + name; }
};

struct ScanReport {
  std::string path;
  uint64_t size_bytes = 0;
  std::string container;                 // "pickle", "zip", "npy", "archive", "compressed", "none"
  size_t pickles = 0;                    // pickles read through to their end
  std::vector<std::string> scanned;      // parts that held pickles
  std::vector<std::string> not_scanned;  // "part: why", for everything that could not be read through
  std::vector<ScannedGlobal> globals;    // each (part, global) once

  Verdict verdict() const;                 // the worst global; unknown at best when incomplete
  bool complete() const { return not_scanned.empty(); }
  std::vector<std::string> names(Verdict verdict) const;  // distinct qualified names
};

// Pickles are read to any depth, as CPython does; inspect, whose own readers
// stop at PickleLimits' depth anyway, passes that limit to bound its memory.
ScanReport scan_bytes(Bytes bytes, const std::string& path, const GlobalPolicy& policy,
                      uint32_t max_depth = UINT32_MAX);
// Throws Error(Io) when the file cannot be read.
ScanReport scan_file(const std::string& path, const GlobalPolicy& policy);

}  // namespace mtool
