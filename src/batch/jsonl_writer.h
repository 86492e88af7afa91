#pragma once
// JSON Lines written one record at a time and flushed after each, so a job
// killed at any moment leaves every finished record whole in the file and at
// most the record in flight cut off (which `--resume` cuts away and redoes).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace mtool {

class JsonlWriter {
 public:
  // stdout when `path` is empty; else `path`, appended to (created if absent).
  explicit JsonlWriter(const std::string& path);
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  // Throws Error(Io) when the record cannot be written whole (a full disk).
  void write(const nlohmann::ordered_json& record);
  void write(const nlohmann::json& record);

 private:
  void write_line(std::string line);

  std::string path_;
  std::FILE* out_ = nullptr;
};

}  // namespace mtool
