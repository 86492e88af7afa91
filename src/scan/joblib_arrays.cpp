#include "scan/joblib_arrays.h"

#include <cctype>

namespace mtool {

namespace {

const PickleNode* dict_value(const PickleNode* dict, std::string_view key) {
  if (dict == nullptr || !dict->is(PickleKind::Dict)) return nullptr;
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const std::string* name = dict->items[i]->as_string();
    if (name != nullptr && *name == key) return dict->items[i + 1];
  }
  return nullptr;
}

// numpy.dtype('f8', False, True) as pickled: the item size its type string
// gives ('<f4' 4, 'U10' 40, 'b1' 1), or 0 when it is not a plain type.
uint64_t item_size(const PickleNode* dtype) {
  if (dtype == nullptr || !dtype->is(PickleKind::Call) || dtype->call_target() != "numpy.dtype") return 0;
  if (dtype->args == nullptr || !dtype->args->is(PickleKind::Tuple) || dtype->args->items.empty()) return 0;
  const std::string* type = dtype->args->items[0]->as_string();
  if (type == nullptr || type->empty()) return 0;
  std::string_view code = *type;
  if (code.front() == '<' || code.front() == '>' || code.front() == '|' || code.front() == '=') code.remove_prefix(1);
  if (code.size() < 2 || !std::isalpha(static_cast<unsigned char>(code.front()))) return 0;
  char kind = code.front();
  uint64_t digits = 0;
  for (char c : code.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || digits > (1u << 30)) return 0;
    digits = digits * 10 + static_cast<uint64_t>(c - '0');
  }
  if (kind == 'O') return 0;
  return kind == 'U' ? digits * 4 : digits;
}

}  // namespace

uint64_t joblib_inline_array_bytes(const PickleNode& built, Bytes following) {
  if (!built.is(PickleKind::Call) || built.call_target() != "joblib.numpy_pickle.NumpyArrayWrapper") return 0;
  uint64_t size = item_size(dict_value(built.state, "dtype"));
  const PickleNode* shape = dict_value(built.state, "shape");
  if (size == 0 || shape == nullptr || !shape->is(PickleKind::Tuple)) return 0;
  uint64_t count = 1;
  for (const PickleNode* dim : shape->items) {
    std::optional<int64_t> value = dim->as_int();
    if (!value || *value < 0) return 0;
    count = checked_mul(count, static_cast<uint64_t>(*value), "joblib array size");
  }
  uint64_t offset = 0;
  const PickleNode* alignment = dict_value(built.state, "numpy_array_alignment_bytes");
  if (alignment != nullptr && !alignment->is(PickleKind::None)) {
    offset = 1 + static_cast<uint8_t>(sub_range(following, 0, 1, "joblib array padding")[0]);  // padding length, then padding
  }
  uint64_t total = checked_add(offset, checked_mul(count, size, "joblib array size"), "joblib array size");
  sub_range(following, 0, total, "joblib array data");
  return total;
}

}  // namespace mtool
