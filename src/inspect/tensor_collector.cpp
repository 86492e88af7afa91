#include "inspect/tensor_collector.h"

#include "io/byte_reader.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

void TensorCollector::add(const PickleProgram& program, const std::string& storage_scope,
                          const StorageSize& storage_size) {
  // Walking the arena visits each node once, however often the memo shares
  // it and whatever cycles it forms. Parameter wrappers are skipped here: the
  // tensor call inside them is in the arena too.
  for (const PickleNode& node : program.arena) {
    if (!is_tensor_rebuild(node.call_target())) continue;
    std::optional<TensorRebuild> tensor = tensor_rebuild(&node);
    if (!tensor) continue;
    DtypeTotals& totals = summary_.by_dtype[tensor->dtype];
    ++summary_.count;
    ++totals.tensors;
    summary_.elements = checked_add(summary_.elements, tensor->elements, "total element count");
    totals.elements = checked_add(totals.elements, tensor->elements, "total element count");
    if (tensor->quantized) ++summary_.quantized;
    if (summary_.first_4d_shape.empty() && tensor->shape.size() == 4) summary_.first_4d_shape = tensor->shape;

    if (!seen_storages_.insert(storage_scope + tensor->storage_key).second) continue;
    std::optional<uint64_t> bytes = storage_size ? storage_size(tensor->storage_key) : std::nullopt;
    if (!bytes) bytes = checked_mul(tensor->storage_numel, element_size(tensor->dtype), "tensor storage bytes");
    summary_.bytes = checked_add(summary_.bytes, *bytes, "total tensor bytes");
    totals.bytes = checked_add(totals.bytes, *bytes, "total tensor bytes");
  }
}

std::vector<std::string> root_classes(const PickleProgram& program) {
  std::vector<std::string> names;
  const PickleNode* root = program.root;
  if (root == nullptr) return names;
  if (root->is(PickleKind::Call)) {
    names.push_back(root->call_target().empty() ? "<call>" : root->call_target());
  } else if (root->is(PickleKind::Dict)) {
    names.push_back("dict");
  } else if (root->is(PickleKind::List)) {
    names.push_back("list");
  } else if (root->is(PickleKind::Tuple)) {
    names.push_back("tuple");
  }
  return names;
}

}  // namespace mtool
