#pragma once
// Which Apple OS releases run which Core ML specification versions
// (Model.proto's table), and what in a model forces the version it needs.
#include <optional>
#include <string>
#include <string_view>

#include "inspect/coreml_report.h"

namespace mtool {

// An OS an app targets: `inspect --runtime ios15`, `macos12`, `watchos8`, `tvos15`.
struct AppleOsTarget {
  std::string os;       // "iOS", "macOS", "watchOS", "tvOS"
  std::string version;  // "15", "10.15"
};
std::optional<AppleOsTarget> parse_apple_os(std::string_view text);

// The newest specification version the OS release runs (0: older than Core ML).
int64_t max_specification_for(const AppleOsTarget& target);

// Fills required_specification, minimum_os and minimum_os_reason.
void add_minimum_os(CoreMlReport& report);

}  // namespace mtool
