#include "torch_pickle/torch_pickle.h"

#include <array>
#include <utility>

#include "io/byte_reader.h"

namespace mtool {

namespace {

struct StorageClass {
  std::string_view storage;  // class name in module torch
  std::string_view dtype;
  uint64_t element_size;
};

// torch/storage.py's legacy typed storage classes, which torch.save and
// torch.jit.save name in persistent ids.
constexpr std::array kStorageClasses = {
    StorageClass{"FloatStorage", "float32", 4},        StorageClass{"DoubleStorage", "float64", 8},
    StorageClass{"HalfStorage", "float16", 2},         StorageClass{"BFloat16Storage", "bfloat16", 2},
    StorageClass{"LongStorage", "int64", 8},           StorageClass{"IntStorage", "int32", 4},
    StorageClass{"ShortStorage", "int16", 2},          StorageClass{"CharStorage", "int8", 1},
    StorageClass{"ByteStorage", "uint8", 1},           StorageClass{"BoolStorage", "bool", 1},
    StorageClass{"ComplexFloatStorage", "complex64", 8}, StorageClass{"ComplexDoubleStorage", "complex128", 16},
    StorageClass{"QInt8Storage", "qint8", 1},          StorageClass{"QUInt8Storage", "quint8", 1},
    StorageClass{"QInt32Storage", "qint32", 4},        StorageClass{"QUInt4x2Storage", "quint4x2", 1},
    StorageClass{"QUInt2x4Storage", "quint2x4", 1},    StorageClass{"UntypedStorage", "uint8", 1},
};

uint64_t product_of(const PickleNode* shape) {
  if (shape == nullptr || !shape->is(PickleKind::Tuple)) return 0;
  uint64_t product = 1;
  for (const PickleNode* dim : shape->items) {
    auto value = dim->as_int();
    if (!value || *value < 0) return 0;
    product = checked_mul(product, static_cast<uint64_t>(*value), "tensor shape");
  }
  return product;
}

// ('storage', <storage class>, key, location, numel[, view metadata])
struct PersistentStorage {
  std::string dtype;
  std::string key;
  uint64_t numel = 0;
};

std::optional<PersistentStorage> storage_of(const PickleNode* node) {
  if (node == nullptr || !node->is(PickleKind::PersistentId) || node->args == nullptr) return std::nullopt;
  const PickleNode* id = node->args;
  if (!id->is(PickleKind::Tuple) || id->items.size() < 5) return std::nullopt;
  const std::string* tag = id->items[0]->as_string();
  const std::string* key = id->items[2]->as_string();
  if (tag == nullptr || *tag != "storage" || key == nullptr) return std::nullopt;
  PersistentStorage storage;
  const PickleNode* storage_class = id->items[1];
  if (storage_class->is(PickleKind::Global)) storage.dtype = dtype_of_storage_class(storage_class->qualified_name());
  storage.key = *key;
  auto numel = id->items[4]->as_int();
  storage.numel = numel && *numel > 0 ? static_cast<uint64_t>(*numel) : 0;
  return storage;
}

}  // namespace

bool is_tensor_rebuild(std::string_view target) {
  return target == "torch._utils._rebuild_tensor" || target == "torch._utils._rebuild_tensor_v2" ||
         target == "torch._utils._rebuild_tensor_v3" || target == "torch._utils._rebuild_qtensor";
}

std::string dtype_of_storage_class(std::string_view qualified_name) {
  constexpr std::string_view kPrefix = "torch.";
  if (qualified_name.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view name = qualified_name.substr(kPrefix.size());
  for (const StorageClass& storage : kStorageClasses) {
    if (storage.storage == name) return std::string(storage.dtype);
  }
  return {};
}

bool is_storage_class(std::string_view qualified_name) { return !dtype_of_storage_class(qualified_name).empty(); }

uint64_t element_size(std::string_view dtype) {
  for (const StorageClass& storage : kStorageClasses) {
    if (storage.dtype == dtype) return storage.element_size;
  }
  return 0;
}

std::optional<TensorRebuild> tensor_rebuild(const PickleNode* node) {
  std::string target = node->call_target();
  if (target == "torch._utils._rebuild_parameter" || target == "torch._utils._rebuild_parameter_with_state") {
    bool wraps = node->args != nullptr && !node->args->items.empty();
    return wraps ? tensor_rebuild(node->args->items[0]) : std::nullopt;
  }
  if (!is_tensor_rebuild(target) || node->args == nullptr || node->args->items.size() < 3) return std::nullopt;
  const auto& args = node->args->items;
  auto storage = storage_of(args[0]);
  if (!storage) return std::nullopt;
  TensorRebuild tensor;
  tensor.dtype = storage->dtype;
  // _rebuild_tensor_v3 (PyTorch 2.x) passes the dtype as its 7th argument.
  if (target == "torch._utils._rebuild_tensor_v3" && args.size() >= 7 && args[6]->is(PickleKind::Global)) {
    tensor.dtype = args[6]->name;
  }
  if (tensor.dtype.empty()) tensor.dtype = "unknown";
  tensor.storage_key = storage->key;
  tensor.storage_numel = storage->numel;
  tensor.elements = product_of(args[2]);
  if (args[2]->is(PickleKind::Tuple)) {
    for (const PickleNode* dim : args[2]->items) tensor.shape.push_back(dim->as_int().value_or(0));
  }
  tensor.quantized = target == "torch._utils._rebuild_qtensor" || tensor.dtype.starts_with("q");
  return tensor;
}

bool is_legacy_torch_save_magic(const PickleProgram& program) {
  return program.root != nullptr && program.root->is(PickleKind::Int) && program.root->big_int &&
         program.root->text == "1950a86a20f9469cfc6c";
}

}  // namespace mtool
