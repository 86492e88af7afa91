#include "torch_pickle/legacy_storages.h"

#include "torch_pickle/legacy_layout.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

void LegacyStorages::read_types(const PickleProgram& program) {
  for (const PickleNode& node : program.arena) {
    if (!node.is(PickleKind::PersistentId) || node.args == nullptr || !node.args->is(PickleKind::Tuple)) continue;
    const auto& items = node.args->items;
    if (items.size() < 3 || items[0]->as_string() == nullptr || *items[0]->as_string() != "storage") continue;
    if (!items[1]->is(PickleKind::Global) || items[2]->as_string() == nullptr) continue;
    element_size_[*items[2]->as_string()] = element_size(dtype_of_storage_class(items[1]->qualified_name()));
  }
}

void LegacyStorages::read_keys(const PickleProgram& program) {
  if (program.root == nullptr || !program.root->is(PickleKind::List)) return;
  for (const PickleNode* item : program.root->items) {
    if (item->as_string() != nullptr) keys_.push_back(*item->as_string());
  }
}

uint64_t LegacyStorages::end(Bytes bytes, uint64_t offset) const {
  try {
    for (const std::string& key : keys_) {
      auto size = element_size_.find(key);
      if (size == element_size_.end() || size->second == 0) return bytes.size();
      uint64_t count = u64le_at(bytes, offset);
      offset = checked_add(offset + kLegacyStorageCountBytes, checked_mul(count, size->second, "legacy storage size"), "legacy storage end");
      if (offset > bytes.size()) return bytes.size();
    }
  } catch (const FormatError&) {
    return bytes.size();
  }
  return offset;
}

}  // namespace mtool
