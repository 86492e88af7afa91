#pragma once
// The one table of globals known to run code, start processes, reach files or
// the network, or unpickle more, each with where it was published.
#include <string_view>

namespace mtool {

struct DangerousGlobal {
  std::string_view name;    // "os" (a whole module and its submodules) or "builtins.eval" (one global)
  bool whole_module;
  std::string_view source;  // the advisory, CVE or write-up that shows it used
};

// True when module.name is listed: a whole module (or one below it), the exact
// global, or the global whose first dotted part is listed ("bdb.Bdb.run" by "bdb.Bdb").
bool is_dangerous_global(std::string_view module, std::string_view name);

// Every entry, for documentation and tests.
const DangerousGlobal* dangerous_globals_begin();
const DangerousGlobal* dangerous_globals_end();

}  // namespace mtool
