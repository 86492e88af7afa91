#pragma once
// The symbolic tree a pickle describes. Nothing in it is ever imported, called
// or executed: a GLOBAL is two strings, a REDUCE is a node that says "this
// callable was applied to these arguments".
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace mtool {

enum class PickleKind {
  None,
  Bool,
  Int,        // fits in int64: int_value; otherwise big_int holds its hex digits
  Float,
  String,     // text
  ByteString, // text holds the raw bytes
  Tuple,
  List,
  Dict,       // items alternate key, value
  Set,
  FrozenSet,
  Global,     // module.name
  Call,       // REDUCE / NEWOBJ / INST / OBJ: callable(args), then BUILD state
  PersistentId,
  Buffer,     // protocol 5 out-of-band buffer
};

struct PickleNode {
  PickleKind kind = PickleKind::None;
  uint64_t offset = 0;  // where the opcode that made it starts
  uint32_t depth = 1;   // nesting depth when it was built (containers grow it)

  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string text;     // string, bytes, global module, big int hex
  std::string name;     // global name
  bool big_int = false;

  std::vector<const PickleNode*> items;  // containers; dict as key, value, key, value...
  const PickleNode* callable = nullptr;  // Call
  const PickleNode* args = nullptr;      // Call (a tuple), PersistentId (the id)
  const PickleNode* state = nullptr;     // Call after BUILD

  bool is(PickleKind k) const { return kind == k; }
  std::string qualified_name() const { return text + "." + name; }
  // The callable's qualified name when this is a Call of a Global, else "".
  std::string call_target() const;
  std::optional<int64_t> as_int() const;
  const std::string* as_string() const;
};

// Where a pickle names a global: GLOBAL, STACK_GLOBAL, INST or an extension code.
struct GlobalReference {
  std::string module;
  std::string name;
  uint64_t offset = 0;
  bool resolved = true;  // false when STACK_GLOBAL's operands were not plain strings
};

// BUILD applied to an imported object itself (a module or class, not an
// instance): it overwrites that object's attributes for everything loaded after.
struct GlobalMutation {
  std::string module;
  std::string name;
  uint64_t offset = 0;
};

// A parsed pickle: the arena that owns every node, the value it produced, and
// every global it references. Nodes point into the arena, so cycles built
// through the memo are harmless.
struct PickleProgram {
  std::deque<PickleNode> arena;
  const PickleNode* root = nullptr;
  std::vector<GlobalReference> globals;
  std::vector<GlobalMutation> mutations;
  int protocol = 0;
  uint64_t end_offset = 0;  // just past STOP
};

// A short one-line rendering of a value for people (bounded in depth and width).
std::string describe(const PickleNode* node, int max_depth = 3);

}  // namespace mtool
