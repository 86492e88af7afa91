#include "inspect/signature.h"

#include <fmt/format.h>

namespace mtool {

namespace {

std::string_view trimmed(std::string_view text) {
  size_t first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// Positions of `separator` outside brackets and quotes, in `text`.
std::vector<size_t> top_level(std::string_view text, char separator) {
  std::vector<size_t> found;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == separator && depth == 0) found.push_back(i);  // before a ')' separator closes a level
    if (c == '\'' || c == '"') quote = c;
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
  }
  return found;
}

// "scale: float=1." -> {"scale", "float", "1."}
Argument parse_argument(std::string_view text) {
  Argument argument;
  std::vector<size_t> equals = top_level(text, '=');
  std::string_view declaration = text;
  if (!equals.empty()) {
    argument.default_value = std::string(trimmed(text.substr(equals.front() + 1)));
    declaration = text.substr(0, equals.front());
  }
  size_t colon = declaration.find(':');
  argument.name = std::string(trimmed(declaration.substr(0, colon)));
  if (colon != std::string_view::npos) argument.type = std::string(trimmed(declaration.substr(colon + 1)));
  return argument;
}

std::string render_argument(const Argument& argument) {
  std::string out;
  if (argument.name.empty()) {
    out = argument.type;
  } else {
    out = argument.type.empty() ? argument.name : argument.name + ": " + argument.type;
  }
  if (argument.default_value) out += "=" + *argument.default_value;
  return out;
}

}  // namespace

std::string render_returns(const std::vector<std::string>& types) {
  if (types.size() == 1) return types.front();
  return fmt::format("({})", fmt::join(types, ", "));
}

std::string render_signature(const Signature& signature) {
  std::vector<std::string> arguments;
  for (const Argument& argument : signature.arguments) arguments.push_back(render_argument(argument));
  return fmt::format("({}) -> {}", fmt::join(arguments, ", "), signature.returns);
}

std::string render_signature(const std::optional<Signature>& signature) {
  return signature ? render_signature(*signature) : std::string();
}

std::optional<Signature> parse_signature(std::string_view header) {
  if (header.size() < 2 || header.front() != '(') return std::nullopt;
  std::vector<size_t> closes = top_level(header.substr(1), ')');
  if (closes.empty()) return std::nullopt;
  size_t close = closes.front() + 1;
  std::string_view rest = trimmed(header.substr(close + 1));
  if (!rest.starts_with("->")) return std::nullopt;
  Signature signature;
  signature.returns = std::string(trimmed(rest.substr(2)));
  std::string_view inside = header.substr(1, close - 1);
  size_t start = 0;
  std::vector<size_t> commas = top_level(inside, ',');
  commas.push_back(inside.size());
  for (size_t comma : commas) {
    std::string_view text = trimmed(inside.substr(start, comma - start));
    start = comma + 1;
    if (!text.empty()) signature.arguments.push_back(parse_argument(text));
  }
  if (!signature.arguments.empty()) signature.arguments.erase(signature.arguments.begin());  // the module
  return signature;
}

}  // namespace mtool
