#include "batch/jsonl_writer.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "io/error.h"
#include "io/json_text.h"

namespace mtool {

JsonlWriter::JsonlWriter(const std::string& path) : path_(path.empty() ? "stdout" : path) {
  out_ = path.empty() ? stdout : std::fopen(path.c_str(), "ab");
  if (out_ == nullptr) throw Error(ErrorKind::Io, fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
}

JsonlWriter::~JsonlWriter() {
  if (out_ != nullptr && out_ != stdout) std::fclose(out_);
}

void JsonlWriter::write(const nlohmann::ordered_json& record) { write_line(json_text(record)); }

void JsonlWriter::write(const nlohmann::json& record) { write_line(json_text(record)); }

void JsonlWriter::write_line(std::string line) {
  line.push_back('\n');
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() || std::fflush(out_) != 0) {
    throw Error(ErrorKind::Io, fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
}

}  // namespace mtool
