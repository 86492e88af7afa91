#pragma once
// Python 2 module and global names as the Python 3 unpickler resolves them.
#include <string>
#include <string_view>
#include <utility>

namespace mtool {

// (module, name) as CPython's find_class imports it: `__builtin__.xrange` is
// `builtins.range`, `copy_reg.*` is `copyreg.*`; other names are unchanged.
std::pair<std::string, std::string> python3_name(std::string_view module, std::string_view name);

}  // namespace mtool
