#pragma once
// Rendering of scan reports: one text line per file and a tally for people,
// JSON Lines records and a summary record for programs.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scan/scanner.h"
#include "terminal.h"

namespace mtool::cli {

inline constexpr const char* kScanRecordSchema = "mtool.scan/1";
inline constexpr const char* kScanSummarySchema = "mtool.scan-summary/1";

// Files by status (scan_status, or "unreadable").
struct ScanTally {
  size_t safe = 0, unknown = 0, dangerous = 0, incomplete = 0, unreadable = 0;
  size_t files() const { return safe + unknown + dangerous + incomplete + unreadable; }
};

// "safe", "unknown", "dangerous" or "incomplete".
std::string scan_status(const ScanReport& report);

// "STATUS     PATH  details", the path padded to `width` bytes.
std::string scan_text_line(const ScanReport& report, size_t width, const Style& style);
std::string scan_summary_text(const ScanTally& tally);

nlohmann::ordered_json scan_record_json(const ScanReport& report);
nlohmann::ordered_json scan_unreadable_json(const std::string& path, const std::string& error);
// `shard` ("K/N") and `resumed` (paths already recorded) only when sharding or resuming.
nlohmann::ordered_json scan_summary_json(const ScanTally& tally, const std::optional<std::string>& shard,
                                         std::optional<size_t> resumed);

}  // namespace mtool::cli
