#pragma once
// What an interrupted batch run already wrote to its JSON Lines file, for
// `--resume OUT.jsonl`: the paths it recorded (as 64-bit hashes, 8 bytes a
// path, so a shard of millions is resumed in tens of MB; two different paths
// share a hash with odds of about 1 in 10^7 for 2 million paths) and their
// records, which the command counts into the summary. A last line cut off
// by the kill, and the summary a finished run wrote, are cut from the file,
// so records appended after them keep it valid JSON Lines.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mtool {

class RecordedPaths {
 public:
  bool contains(std::string_view path) const;
  size_t size() const { return hashes_.size(); }

  // Reads `file` (absent: nothing recorded) whose per-file records carry `record_schema`
  // and whose summary carries `summary_schema`; each record goes to `on_record`. Truncates
  // the file after its last complete record. Throws Error(Usage), leaving the file as it
  // was, for a complete line that is neither (another command's file, or not JSON Lines).
  static RecordedPaths load(const std::string& file, std::string_view record_schema, std::string_view summary_schema,
                            const std::function<void(const nlohmann::json&)>& on_record);

 private:
  std::vector<uint64_t> hashes_;  // sorted
};

}  // namespace mtool
