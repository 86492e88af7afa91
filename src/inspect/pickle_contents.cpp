#include "inspect/pickle_contents.h"

#include <fmt/format.h>
#include <map>
#include <set>

#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

// Deeper structures are summarised, not walked: real checkpoints nest a few levels.
constexpr int kMaxDepth = 48;

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

bool is_dict_like(const PickleNode* node) {
  if (node->is(PickleKind::Dict)) return true;
  std::string target = node->call_target();
  return target == "collections.OrderedDict" || target == "builtins.dict" || target == "collections.defaultdict";
}

std::string key_text(const PickleNode* key) {
  if (const std::string* text = key->as_string()) return *text;
  if (auto number = key->as_int()) return std::to_string(*number);
  return describe(key, 1);
}

// Module state keys that hold what state_dict() flattens into its parent's names.
bool is_flattened_member(const std::string& key) {
  return key == "_parameters" || key == "_buffers" || key == "_modules";
}

class Walker {
 public:
  Walker(const StorageBytes& storage_bytes) : storage_bytes_(storage_bytes) {}
  void walk(const PickleNode* node, const std::string& key, int depth);
  PickleContents take() { return std::move(contents_); }

 private:
  bool add_tensor(const PickleNode* node, const std::string& key);
  void add_value(const std::string& key, std::string summary) { contents_.values.push_back({key, std::move(summary)}); }
  std::string summarise_sequence(const PickleNode* node);
  void walk_instance_state(const PickleNode* state, const std::string& key, int depth);

  const StorageBytes& storage_bytes_;
  PickleContents contents_;
  // Containers already listed: the memo can share them, or make cycles.
  std::set<const PickleNode*> visited_;
  std::map<std::string, std::string> storage_owner_;
};

bool Walker::add_tensor(const PickleNode* node, const std::string& key) {
  std::optional<TensorRebuild> rebuilt = tensor_rebuild(node);
  if (!rebuilt) return false;
  TensorEntry tensor;
  tensor.key = key;
  tensor.dtype = rebuilt->dtype;
  tensor.shape = rebuilt->shape;
  tensor.elements = rebuilt->elements;
  tensor.storage = rebuilt->storage_key;
  tensor.quantized = rebuilt->quantized;
  auto [owner, first] = storage_owner_.emplace(tensor.storage, key);
  if (!first) tensor.shares_storage_with = owner->second;
  if (storage_bytes_) tensor.storage_bytes = storage_bytes_(tensor.storage, tensor.dtype, rebuilt->storage_numel).value_or(0);
  contents_.tensors.push_back(std::move(tensor));
  return true;
}

std::string Walker::summarise_sequence(const PickleNode* node) {
  const char* kind = node->is(PickleKind::List) ? "list" : node->is(PickleKind::Tuple) ? "tuple" : "set";
  if (node->items.empty()) return fmt::format("empty {}", kind);
  if (node->items.size() <= 6) return describe(node, 2);
  return fmt::format("{} of {} items: {}", kind, node->items.size(), describe(node, 1));
}

// An object's __dict__: its parameters, buffers and submodules are named as
// state_dict() names them; other private attributes (hooks, caches) are left out.
void Walker::walk_instance_state(const PickleNode* state, const std::string& key, int depth) {
  if (!is_dict_like(state)) {
    walk(state, key, depth);
    return;
  }
  for (size_t i = 0; i + 1 < state->items.size(); i += 2) {
    std::string member = key_text(state->items[i]);
    if (is_flattened_member(member)) {
      walk(state->items[i + 1], key, depth + 1);
    } else if (!member.starts_with("_")) {
      walk(state->items[i + 1], join_key(key, member), depth + 1);
    }
  }
}

void Walker::walk(const PickleNode* node, const std::string& key, int depth) {
  if (node == nullptr) return;
  if (depth > kMaxDepth) {
    add_value(key, "... (nested too deeply to list)");
    return;
  }
  if (add_tensor(node, key)) return;
  bool container = node->is(PickleKind::Dict) || node->is(PickleKind::List) || node->is(PickleKind::Tuple) ||
                   node->is(PickleKind::Set) || node->is(PickleKind::FrozenSet) || node->is(PickleKind::Call) ||
                   node->is(PickleKind::PersistentId);
  if (container && !visited_.insert(node).second) {
    add_value(key, "(the same object as listed earlier)");
    return;
  }
  std::string target = node->call_target();
  if (is_dict_like(node)) {
    for (size_t i = 0; i + 1 < node->items.size(); i += 2) {
      std::string member = key_text(node->items[i]);
      walk(node->items[i + 1], is_flattened_member(member) ? key : join_key(key, member), depth + 1);
    }
    return;
  }
  if (target == "numpy.core.multiarray._reconstruct" || target == "numpy._core.multiarray._reconstruct") {
    // BUILD state: (version, shape, dtype, is_fortran, data)
    const PickleNode* state = node->state;
    std::string shape = state != nullptr && state->items.size() >= 2 ? describe(state->items[1], 2) : "?";
    std::string dtype = state != nullptr && state->items.size() >= 3 ? describe(state->items[2], 2) : "?";
    add_value(key, fmt::format("numpy.ndarray {} {}", dtype, shape));
    return;
  }
  if (node->is(PickleKind::Call) && node->callable != nullptr && node->callable->is(PickleKind::Global)) {
    if (node->state != nullptr) {
      // An instance: NEWOBJ/REDUCE of a class, then BUILD with its __dict__.
      contents_.objects.push_back({key, target});
      walk_instance_state(node->state, key, depth + 1);
    } else {
      add_value(key, describe(node, 2));  // some other rebuild call, shown by name
    }
    return;
  }
  switch (node->kind) {
    case PickleKind::List:
    case PickleKind::Tuple:
    case PickleKind::Set:
    case PickleKind::FrozenSet: {
      bool holds_structure = false;
      for (const PickleNode* item : node->items) {
        holds_structure = holds_structure || item->is(PickleKind::Call) || item->is(PickleKind::Dict) ||
                          item->is(PickleKind::List) || item->is(PickleKind::Tuple);
      }
      if (!holds_structure) {
        add_value(key, summarise_sequence(node));
        return;
      }
      for (size_t i = 0; i < node->items.size(); ++i) walk(node->items[i], join_key(key, std::to_string(i)), depth + 1);
      return;
    }
    default: add_value(key.empty() ? "(root)" : key, describe(node, 2));
  }
}

}  // namespace

PickleContents read_pickle_contents(const PickleProgram& program, const StorageBytes& storage_bytes) {
  Walker walker(storage_bytes);
  walker.walk(program.root, "", 0);
  return walker.take();
}

}  // namespace mtool
