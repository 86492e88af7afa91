#pragma once
// What PyTorch's pickles say about tensors: which rebuild calls appear, on
// which storages, with which dtypes and shapes. Read from the symbolic tree,
// never by calling anything.
#include <optional>
#include <string>
#include <vector>

#include "pickle/pickle_node.h"

namespace mtool {

// The dtype a storage class stands for ("torch.FloatStorage" -> "float32"),
// or "" when it is not a storage class.
std::string dtype_of_storage_class(std::string_view qualified_name);
// True for torch.<X>Storage, the classes torch.save names in persistent ids
// (all that torch._storage_classes holds in 1.13, and torch.UntypedStorage).
bool is_storage_class(std::string_view qualified_name);
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

// True for the calls that build a tensor from a storage:
// torch._utils._rebuild_tensor(_v2/_v3) and _rebuild_qtensor.
bool is_tensor_rebuild(std::string_view target);

// The tensor `node` rebuilds, or nullopt when it is not a tensor rebuild call.
// _rebuild_parameter wrappers are looked through.
std::optional<TensorRebuild> tensor_rebuild(const PickleNode* node);

// True when the pickle is the legacy torch.save header: the magic number
// 0x1950a86a20f9469cfc6c (torch/serialization.py's MAGIC_NUMBER).
bool is_legacy_torch_save_magic(const PickleProgram& program);

}  // namespace mtool
