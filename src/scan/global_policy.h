#pragma once
// Which globals a pickle may name. Safe is an allowlist: a global is safe only
// if it is listed. Dangerous names what is known to run code or reach the
// system. Everything else is unknown, and is reported, never passed silently:
// denylists are always one function behind.
#include <set>
#include <string>
#include <string_view>

namespace mtool {

enum class Verdict { Safe, Unknown, Dangerous };
const char* verdict_name(Verdict verdict);

// Where the pickle is: TorchScript archives name their own compiled classes
// (__torch__.*), which the TorchScript unpickler resolves without Python.
enum class PickleContext { Plain, TorchScriptArchive };

struct GlobalPolicy {
  std::set<std::string> allowed;  // --allow module.name: accepted as safe

  Verdict classify(std::string_view module, std::string_view name, PickleContext context) const;
};

// Whether torch.load(weights_only=True) in PyTorch 1.13 accepts the global
// ("module.name"): the allowlist's torch part, without the value builders and
// NumPy rebuilds that scan also calls safe.
bool weights_only_accepts(std::string_view qualified);

}  // namespace mtool
