#include "batch/recorded_paths.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "batch/shard.h"
#include "io/error.h"

namespace mtool {

namespace {

using Json = nlohmann::json;

std::string schema_of(const Json& line) {
  return line.is_object() && line.contains("schema") && line["schema"].is_string() ? line["schema"].get<std::string>()
                                                                                  : "";
}

}  // namespace

bool RecordedPaths::contains(std::string_view path) const {
  return std::binary_search(hashes_.begin(), hashes_.end(), path_hash(path));
}

RecordedPaths RecordedPaths::load(const std::string& file, std::string_view record_schema,
                                  std::string_view summary_schema,
                                  const std::function<void(const Json&)>& on_record) {
  RecordedPaths recorded;
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return recorded;
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file, error)) {
    throw Error(ErrorKind::Io, fmt::format("--resume {}: cannot read it", file));
  }
  std::string line;
  uint64_t number = 0;
  uint64_t keep = 0;  // the end of the last complete record
  uint64_t offset = 0;
  while (std::getline(in, line)) {
    ++number;
    if (in.eof()) break;  // a last line without its newline was cut off by a kill: it is done again
    offset += line.size() + 1;
    Json parsed = Json::parse(line, nullptr, false);
    std::string schema = schema_of(parsed);
    if (schema == summary_schema) continue;  // a finished run's summary: a new one replaces it
    if (schema != record_schema || !parsed["path"].is_string()) {
      throw Error(ErrorKind::Usage, fmt::format("--resume {}: line {} is not an {} record; give the JSON Lines file "
                                                 "this command wrote (it was left as it was)", file, number, record_schema));
    }
    recorded.hashes_.push_back(path_hash(parsed["path"].get<std::string>()));
    on_record(parsed);
    keep = offset;
  }
  std::sort(recorded.hashes_.begin(), recorded.hashes_.end());
  std::filesystem::resize_file(file, keep, error);
  if (error) throw Error(ErrorKind::Io, fmt::format("--resume {}: cannot cut its unfinished tail: {}", file, error.message()));
  return recorded;
}

}  // namespace mtool
