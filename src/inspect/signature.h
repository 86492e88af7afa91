#pragma once
// A method's signature as TorchScript declares it: its arguments (name, type,
// default) and what it returns. Readers fill it from bytecode schemas or from
// TorchScript source; planners read the arguments; render_signature() is the
// one place it becomes text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mtool {

struct Argument {
  std::string name;                          // "x"; empty when a schema names none
  std::string type;                          // "Tensor", "List[int]", "Optional[Tensor]"
  std::optional<std::string> default_value;  // as TorchScript prints it: "1.", "[1, 2]"
};

struct Signature {
  std::vector<Argument> arguments;  // the module itself (self) left out: it is not an input
  std::string returns;              // "Tensor", "Tuple[Tensor, Tensor]", "(Tensor, Tensor)"
};

// What a schema lists as its returns, as text: one type as it is, several as "(Tensor, Tensor)".
std::string render_returns(const std::vector<std::string>& types);

// "(x: Tensor, scale: float=1.) -> Tensor"
std::string render_signature(const Signature& signature);
// The same, or "" when the file does not give the signature.
std::string render_signature(const std::optional<Signature>& signature);

// A TorchScript method header from its '(' to the ':' that ends it, whitespace
// collapsed: "(self: __torch__.M, x: Tensor, scale: float=1.) -> Tensor". The
// first argument (the module) is dropped. nullopt when it is not of that form.
std::optional<Signature> parse_signature(std::string_view header);

}  // namespace mtool
