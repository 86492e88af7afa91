#pragma once
// Totals over the tensors PyTorch's pickles rebuild (see torch_pickle.h), as
// inspect reports them; and the classes a pickle builds at its top level.
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inspect/model_report.h"
#include "pickle/pickle_node.h"

namespace mtool {

class TensorCollector {
 public:
  // Gives the size in bytes of the storage record behind a persistent-id key,
  // when the container knows it (a zip record), so totals are real sizes.
  using StorageSize = std::function<std::optional<uint64_t>(const std::string& key)>;

  // Adds every tensor rebuilt in `program`. Storages are counted once across
  // all pickles added, by `storage_scope` + key.
  void add(const PickleProgram& program, const std::string& storage_scope, const StorageSize& storage_size);
  const TensorSummary& summary() const { return summary_; }

 private:
  TensorSummary summary_;
  std::set<std::string> seen_storages_;
};

// The qualified class names of the objects a pickle builds at its top levels
// (e.g. "__torch__.MyModel", "collections.OrderedDict"), in order of appearance.
std::vector<std::string> root_classes(const PickleProgram& program);

}  // namespace mtool
