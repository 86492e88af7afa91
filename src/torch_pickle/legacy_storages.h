#pragma once
// The raw storages of a legacy (pre-1.6) torch.save stream, after its pickles
// (legacy_layout.h). Knowing their sizes lets a scan step over them and read
// whatever follows.
#include <map>
#include <string>
#include <vector>

#include "io/byte_reader.h"
#include "pickle/pickle_node.h"

namespace mtool {

class LegacyStorages {
 public:
  // The object pickle: its ('storage', torch.FloatStorage, key,
  // location, numel, view) persistent ids give each key's element size.
  void read_types(const PickleProgram& program);
  // The storage-keys pickle: the order the storages follow in.
  void read_keys(const PickleProgram& program);
  // Where the storages starting at `offset` end; the end of `bytes` when they
  // cannot be walked (an unknown type, a size past the end).
  uint64_t end(Bytes bytes, uint64_t offset) const;

 private:
  std::map<std::string, uint64_t> element_size_;
  std::vector<std::string> keys_;
};

}  // namespace mtool
