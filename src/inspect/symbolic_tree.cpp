#include "inspect/symbolic_tree.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "archive/zip_archive.h"
#include "pickle/pickle_reader.h"
#include "torch_pickle/legacy_layout.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxItems = 200;

bool is_scalar(const PickleNode* node) {
  switch (node->kind) {
    case PickleKind::Tuple:
    case PickleKind::List:
    case PickleKind::Set:
    case PickleKind::FrozenSet:
    case PickleKind::Dict:
    case PickleKind::Call:
    case PickleKind::PersistentId: return false;
    default: return true;
  }
}

// Printed on one line: a scalar, or a short sequence of scalars. (Checking
// only one level down keeps this safe on cycles the memo can build.)
bool is_leaf(const PickleNode* node) {
  if (is_scalar(node)) return true;
  bool sequence = node->is(PickleKind::Tuple) || node->is(PickleKind::List) || node->is(PickleKind::Set) ||
                  node->is(PickleKind::FrozenSet);
  return sequence && node->items.size() <= 16 && std::all_of(node->items.begin(), node->items.end(), is_scalar);
}

class TreePrinter {
 public:
  std::string print(const PickleNode* root) {
    node(root, "", 0);
    return std::move(out_);
  }

 private:
  void line(int depth, const std::string& label, const std::string& text) {
    out_ += fmt::format("{:{}}{}{}\n", "", depth * 2, label, text);
  }

  void children(const std::vector<const PickleNode*>& items, int depth, bool as_dict) {
    size_t step = as_dict ? 2 : 1;
    for (size_t i = 0; i + step - 1 < items.size(); i += step) {
      if (i / step == kMaxItems) {
        line(depth, "", fmt::format("... {} more", (items.size() - i) / step));
        return;
      }
      if (as_dict) {
        node(items[i + 1], describe(items[i], 1) + ": ", depth);
      } else {
        node(items[i], "", depth);
      }
    }
  }

  void node(const PickleNode* current, const std::string& label, int depth) {
    if (current == nullptr) return line(depth, label, "?");
    if (depth > kMaxDepth) return line(depth, label, "... (deeper levels not shown)");
    if (is_leaf(current)) return line(depth, label, describe(current, 4));
    auto [seen, first] = ids_.emplace(current, ids_.size() + 1);
    if (!first) return line(depth, label, fmt::format("<same as #{}>", seen->second));
    std::string id = fmt::format("#{} ", seen->second);
    switch (current->kind) {
      case PickleKind::Dict:
        line(depth, label, id + fmt::format("dict ({} entries)", current->items.size() / 2));
        return children(current->items, depth + 1, true);
      case PickleKind::Tuple:
      case PickleKind::List:
      case PickleKind::Set:
      case PickleKind::FrozenSet:
        line(depth, label, id + fmt::format("{} ({} items)", current->is(PickleKind::Tuple) ? "tuple" : current->is(PickleKind::List) ? "list" : "set", current->items.size()));
        return children(current->items, depth + 1, false);
      case PickleKind::PersistentId:
        line(depth, label, id + "persistent_id");
        return node(current->args, "", depth + 1);
      case PickleKind::Call: {
        std::string target = current->callable != nullptr ? describe(current->callable, 1) : "?";
        line(depth, label, id + "call " + target);
        if (current->args != nullptr) node(current->args, "args: ", depth + 1);
        if (!current->items.empty()) {
          bool as_dict = current->items.size() % 2 == 0 && current->call_target().find("Dict") != std::string::npos;
          line(depth + 1, "items:", "");
          children(current->items, depth + 2, as_dict);
        }
        if (current->state != nullptr) node(current->state, "state: ", depth + 1);
        return;
      }
      default: return line(depth, label, describe(current, 2));
    }
  }

  std::string out_;
  std::map<const PickleNode*, size_t> ids_;
};

}  // namespace

std::string render_symbolic_tree(const PickleNode* root) { return TreePrinter().print(root); }

std::string symbolic_tree_of_file(Bytes file) {
  if (looks_like_zip(file)) {
    ZipArchive zip(file);
    for (const ZipEntry& entry : zip.entries()) {
      if (entry.name == "data.pkl" || entry.name.ends_with("/data.pkl")) {
        std::string bytes = zip.read(entry, kMaxPickleRecordBytes);
        return render_symbolic_tree(read_pickle(bytes).root);
      }
    }
    throw FormatError("the archive has no data.pkl");
  }
  if (!looks_like_pickle(file)) throw FormatError("the file holds no pickle");
  PickleProgram first = read_pickle(file);
  if (!is_legacy_torch_save_magic(first)) return render_symbolic_tree(first.root);
  uint64_t offset = first.end_offset;
  for (int i = 1; i < kLegacyObjectPickle; ++i) offset += read_pickle(file.substr(offset), offset).end_offset;
  PickleProgram object = read_pickle(file.substr(offset), offset);
  return render_symbolic_tree(object.root);
}

}  // namespace mtool
