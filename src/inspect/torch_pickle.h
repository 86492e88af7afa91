#pragma once
// What PyTorch's pickles say about tensors: which rebuild calls appear, on
// which storages, with which dtypes and shapes. Read from the symbolic tree,
// never by calling anything.
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "inspect/model_report.h"
#include "pickle/pickle_node.h"

namespace mtool {

// The dtype a storage class stands for ("torch.FloatStorage" -> "float32"),
// or "" when it is not a storage class.
std::string dtype_of_storage_class(std::string_view qualified_name);
// Bytes per element for a dtype name, 0 when unknown.
uint64_t element_size(std::string_view dtype);

// One tensor rebuilt by torch._utils._rebuild_tensor(_v2/_v3) or
// _rebuild_qtensor, as read from the call's arguments and persistent id.
struct TensorRebuild {
  std::string dtype;        // "float32", "qint8", or "unknown"
  std::string storage_key;  // the storage record's key ("0", "140245072983168")
  uint64_t storage_numel = 0;
  std::vector<int64_t> shape;
  uint64_t elements = 0;
  bool quantized = false;
};

// The tensor `node` rebuilds, or nullopt when it is not a tensor rebuild call.
// _rebuild_parameter wrappers are looked through.
std::optional<TensorRebuild> tensor_rebuild(const PickleNode* node);

// True when the pickle is the legacy torch.save header: the magic number
// 0x1950a86a20f9469cfc6c (torch/serialization.py's MAGIC_NUMBER).
bool is_legacy_torch_save_magic(const PickleProgram& program);

class TensorCollector {
 public:
  // Gives the size in bytes of the storage record behind a persistent-id key,
  // when the container knows it (a zip record), so totals are real sizes.
  using StorageSize = std::function<std::optional<uint64_t>(const std::string& key)>;

  // Adds every tensor rebuilt in `program`. Storages are counted once across
  // all pickles added, by `storage_scope` + key.
  void add(const PickleProgram& program, const std::string& storage_scope, const StorageSize& storage_size);
  const TensorSummary& summary() const { return summary_; }

 private:
  TensorSummary summary_;
  std::set<std::string> seen_storages_;
};

// The qualified class names of the objects a pickle builds at its top levels
// (e.g. "__torch__.MyModel", "collections.OrderedDict"), in order of appearance.
std::vector<std::string> root_classes(const PickleProgram& program);

}  // namespace mtool
