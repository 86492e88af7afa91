#include "inspect/bytecode.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <tuple>

#include "io/error.h"

namespace mtool {

namespace {

// Bytecode stores tables as tuples of (name, value) pairs: find one by name.
const PickleNode* table_entry(const PickleNode* table, std::string_view name) {
  if (table == nullptr || !table->is(PickleKind::Tuple)) return nullptr;
  for (const PickleNode* pair : table->items) {
    if (pair->is(PickleKind::Tuple) && pair->items.size() == 2) {
      const std::string* key = pair->items[0]->as_string();
      if (key != nullptr && *key == name) return pair->items[1];
    }
  }
  return nullptr;
}

std::string string_or(const PickleNode* node, std::string_view fallback) {
  const std::string* text = node != nullptr ? node->as_string() : nullptr;
  return text != nullptr ? *text : std::string(fallback);
}

// ('arguments', ((('name', 'x'), ('type', 'Tensor'), ('default_value', None)), ...))
std::vector<Argument> schema_arguments(const PickleNode* arguments, bool skip_receiver) {
  std::vector<Argument> out;
  if (arguments == nullptr || !arguments->is(PickleKind::Tuple)) return out;
  for (size_t i = 0; i < arguments->items.size(); ++i) {
    const PickleNode* node = arguments->items[i];
    Argument argument{string_or(table_entry(node, "name"), "?"), string_or(table_entry(node, "type"), "?"), {}};
    // The module itself is the first argument; it is not an input.
    if (i == 0 && skip_receiver && argument.type.starts_with("__torch__.")) continue;
    const PickleNode* default_value = table_entry(node, "default_value");
    if (default_value != nullptr && !default_value->is(PickleKind::None))
      argument.default_value = describe(default_value, 2);
    out.push_back(std::move(argument));
  }
  return out;
}

std::string schema_returns(const PickleNode* returns) {
  if (returns == nullptr || !returns->is(PickleKind::Tuple)) return "?";
  std::vector<std::string> types;
  for (const PickleNode* value : returns->items) types.push_back(string_or(table_entry(value, "type"), "?"));
  return render_returns(types);
}

MethodSignature method_signature(const std::string& qualified_name, const PickleNode* schema) {
  MethodSignature method = MethodSignature::named(qualified_name);
  if (schema != nullptr) {
    method.signature = Signature{schema_arguments(table_entry(schema, "arguments"), true),
                                 schema_returns(table_entry(schema, "returns"))};
  }
  return method;
}

struct OperatorKey {
  std::string name;
  std::string overload;
  // Not a defaulted <=>: libc++ before 15 (Apple's included) has no <=> for std::string.
  bool operator<(const OperatorKey& other) const { return std::tie(name, overload) < std::tie(other.name, other.overload); }
};

void count_operators(const PickleNode* code, std::map<OperatorKey, OperatorUse>& totals) {
  const PickleNode* operators = table_entry(code, "operators");
  const PickleNode* instructions = table_entry(code, "instructions");
  if (operators == nullptr || !operators->is(PickleKind::Tuple)) return;
  std::vector<uint64_t> uses(operators->items.size(), 0);
  if (instructions != nullptr && instructions->is(PickleKind::Tuple)) {
    for (const PickleNode* instruction : instructions->items) {
      if (!instruction->is(PickleKind::Tuple) || instruction->items.size() < 2) continue;
      std::string opcode = string_or(instruction->items[0], "");
      auto index = instruction->items[1]->as_int();
      // OP calls operators[X]; OPN (older bytecode) calls a vararg one.
      if ((opcode == "OP" || opcode == "OPN") && index && *index >= 0 &&
          static_cast<uint64_t>(*index) < uses.size()) {
        ++uses[static_cast<size_t>(*index)];
      }
    }
  }
  for (size_t i = 0; i < operators->items.size(); ++i) {
    const PickleNode* entry = operators->items[i];
    if (!entry->is(PickleKind::Tuple) || entry->items.size() < 2) continue;
    OperatorKey key{string_or(entry->items[0], "?"), string_or(entry->items[1], "")};
    OperatorUse& use = totals[key];
    use.name = key.name;
    use.overload = key.overload;
    use.count += uses[i];
    // v6+: (name, overload, number of specified arguments)
    if (entry->items.size() >= 3 && !use.num_specified_args) use.num_specified_args = entry->items[2]->as_int();
  }
}

}  // namespace

BytecodeInfo read_bytecode(const PickleProgram& program) {
  const PickleNode* root = program.root;
  if (root == nullptr || !root->is(PickleKind::Tuple) || root->items.empty()) {
    throw FormatError("bytecode.pkl is not a tuple of (version, methods...)");
  }
  auto version = root->items[0]->as_int();
  if (!version) throw FormatError("bytecode.pkl does not start with a version number");
  BytecodeInfo info;
  info.version = *version;
  std::map<OperatorKey, OperatorUse> totals;
  for (size_t i = 1; i < root->items.size(); ++i) {
    const PickleNode* method = root->items[i];
    // (qualified name, code table[, schema table]); the schema arrived in v4.
    if (!method->is(PickleKind::Tuple) || method->items.size() < 2) continue;
    const std::string* name = method->items[0]->as_string();
    if (name == nullptr) continue;
    const PickleNode* schema = method->items.size() >= 3 ? method->items[2] : nullptr;
    info.methods.push_back(method_signature(*name, schema));
    count_operators(method->items[1], totals);
  }
  for (auto& [key, use] : totals) info.operators.push_back(std::move(use));
  return info;
}

}  // namespace mtool
