#pragma once
// When a zip has no readable central directory (typically a download cut
// short), walk the local headers to say how far the file gets.
#include <cstdint>
#include <string>
#include <vector>

#include "io/byte_reader.h"

namespace mtool {

// One sentence: where the file ends, which records were found intact, which
// one it ends inside.
std::string explain_missing_central_directory(Bytes file);

// A record found by its local header alone: its name, compression method, and
// the bytes from the start of its data to the next local header (or the end
// of the file). Its size is often written after the data, so where it ends
// is not known up front; it cannot run into the next record, though, which
// also keeps a scan of many records linear in the file's size.
struct LocalRecord {
  uint64_t offset = 0;  // of its local header
  std::string name;
  uint16_t method = 0;
  uint16_t flags = 0;
  Bytes data_to_next;
};

// Every local header in the file, in order, found by signature. For scanners
// of archives whose central directory is missing or lies.
std::vector<LocalRecord> find_local_records(Bytes file);

}  // namespace mtool
