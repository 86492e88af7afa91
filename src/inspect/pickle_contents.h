#pragma once
// What a torch.save file or pickle holds, by key path, as state_dict() would
// name it: "features.0.weight" -> float32 [32, 3, 3, 3]. Read from the symbolic
// tree; nothing is called.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pickle/pickle_node.h"

namespace mtool {

struct TensorEntry {
  std::string key;
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t elements = 0;
  uint64_t storage_bytes = 0;       // of the storage behind it
  std::string storage;              // the storage's key in the archive
  std::string shares_storage_with;  // key of the first tensor on the same storage, if any
  bool quantized = false;
};

struct ValueEntry {
  std::string key;
  std::string summary;  // "7", "'best'", "list of 3 floats", "numpy.ndarray float64 (3, 4)"
};

struct ObjectEntry {
  std::string key;         // "" for the root
  std::string class_name;  // "__main__.Net", "torch.nn.modules.conv.Conv2d"
};

struct PickleContents {
  std::vector<TensorEntry> tensors;
  std::vector<ValueEntry> values;
  std::vector<ObjectEntry> objects;  // instances of classes (a pickled module and its submodules)
};

using StorageBytes = std::function<std::optional<uint64_t>(const std::string& key, const std::string& dtype,
                                                           uint64_t numel)>;

PickleContents read_pickle_contents(const PickleProgram& program, const StorageBytes& storage_bytes);

}  // namespace mtool
