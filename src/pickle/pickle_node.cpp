#include "pickle/pickle_node.h"

#include <fmt/format.h>

namespace mtool {

std::string PickleNode::call_target() const {
  if (kind != PickleKind::Call || callable == nullptr || callable->kind != PickleKind::Global) return {};
  return callable->qualified_name();
}

std::optional<int64_t> PickleNode::as_int() const {
  if (kind == PickleKind::Int && !big_int) return int_value;
  if (kind == PickleKind::Bool) return bool_value ? 1 : 0;
  return std::nullopt;
}

const std::string* PickleNode::as_string() const { return kind == PickleKind::String ? &text : nullptr; }

namespace {

constexpr size_t kMaxItemsShown = 8;

void describe_into(const PickleNode* node, int depth, std::string& out) {
  if (node == nullptr) {
    out += "?";
    return;
  }
  if (depth < 0) {
    out += "...";
    return;
  }
  auto list = [&](const char* open, const char* close) {
    out += open;
    for (size_t i = 0; i < node->items.size(); ++i) {
      if (i == kMaxItemsShown) {
        out += fmt::format(", ... ({} items)", node->items.size());
        break;
      }
      if (i > 0) out += ", ";
      describe_into(node->items[i], depth - 1, out);
    }
    out += close;
  };
  switch (node->kind) {
    case PickleKind::None: out += "None"; break;
    case PickleKind::Bool: out += node->bool_value ? "True" : "False"; break;
    case PickleKind::Int: out += node->big_int ? "0x" + node->text : std::to_string(node->int_value); break;
    case PickleKind::Float: {
      // As Python prints floats: 1.0, not 1.
      std::string text = fmt::format("{}", node->float_value);
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      out += text;
      break;
    }
    case PickleKind::String:
      out += node->text.size() > 40 ? fmt::format("'{}...'", node->text.substr(0, 40)) : "'" + node->text + "'";
      break;
    case PickleKind::ByteString: out += fmt::format("<{} bytes>", node->text.size()); break;
    case PickleKind::Tuple: list("(", node->items.size() == 1 ? ",)" : ")"); break;
    case PickleKind::List: list("[", "]"); break;
    case PickleKind::Set:
    case PickleKind::FrozenSet: list("{", "}"); break;
    case PickleKind::Dict: out += fmt::format("{{{} entries}}", node->items.size() / 2); break;
    case PickleKind::Global: out += node->qualified_name(); break;
    case PickleKind::Call:
      describe_into(node->callable, depth - 1, out);
      out += "(";
      if (node->args != nullptr && depth > 0) {
        for (size_t i = 0; i < node->args->items.size() && i < kMaxItemsShown; ++i) {
          if (i > 0) out += ", ";
          describe_into(node->args->items[i], depth - 1, out);
        }
      }
      out += ")";
      break;
    case PickleKind::PersistentId: out += "persistent_id"; break;
    case PickleKind::Buffer: out += "<buffer>"; break;
  }
}

}  // namespace

std::string describe(const PickleNode* node, int max_depth) {
  std::string out;
  describe_into(node, max_depth, out);
  return out;
}

}  // namespace mtool
