#include "inspect/torchscript_code.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace mtool {

namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view identifier_at(std::string_view text, size_t position) {
  size_t end = position;
  while (end < text.size() && is_identifier_char(text[end])) ++end;
  return text.substr(position, end - position);
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space && c != ')' && c != ',') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The header from the '(' after `def name` to the ':' that ends it.
std::optional<Signature> signature_after(std::string_view source, size_t open_paren) {
  int depth = 0;
  size_t position = open_paren;
  for (; position < source.size(); ++position) {
    char c = source[position];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && c == ':') break;
  }
  return parse_signature(collapse_whitespace(source.substr(open_paren, position - open_paren)));
}

// Non-operator names that TorchScript prints with a torch. prefix.
bool is_not_an_operator(std::string_view name) {
  return name == "device" || name == "dtype" || name == "Tensor" || name == "Size" || name == "jit";
}

void count_call_sites(std::string_view source, CodeInfo& info) {
  // TorchScript prints every operator call as torch.NAME(...) for aten and
  // ops.NAMESPACE.NAME(...) for everything else.
  for (size_t position = 0; position < source.size(); ++position) {
    if (position > 0 && (is_identifier_char(source[position - 1]) || source[position - 1] == '.')) continue;
    std::string_view rest = source.substr(position);
    if (rest.starts_with("torch.")) {
      std::string_view name = identifier_at(source, position + 6);
      size_t after = position + 6 + name.size();
      if (!name.empty() && after < source.size() && source[after] == '(' && !is_not_an_operator(name)) {
        ++info.call_sites["aten::" + std::string(name)];
      }
    } else if (rest.starts_with("ops.")) {
      std::string_view ns = identifier_at(source, position + 4);
      size_t dot = position + 4 + ns.size();
      if (ns.empty() || dot >= source.size() || source[dot] != '.') continue;
      std::string_view name = identifier_at(source, dot + 1);
      size_t after = dot + 1 + name.size();
      if (!name.empty() && after < source.size() && source[after] == '(') {
        ++info.call_sites[std::string(ns) + "::" + std::string(name)];
      }
    }
  }
}

}  // namespace

std::string module_of_code_record(std::string_view record_name) {
  constexpr std::string_view kPrefix = "code/";
  if (record_name.starts_with(kPrefix)) record_name.remove_prefix(kPrefix.size());
  if (record_name.ends_with(".py")) record_name.remove_suffix(3);
  std::string module(record_name);
  for (char& c : module) {
    if (c == '/') c = '.';
  }
  return module;
}

void scan_torchscript_source(const std::string& module, std::string_view source, CodeInfo& info) {
  // An index, not a pointer: classes grows while we scan.
  std::optional<size_t> current;
  size_t line_start = 0;
  while (line_start < source.size()) {
    size_t line_end = source.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = source.size();
    std::string_view line = source.substr(line_start, line_end - line_start);
    if (line.starts_with("class ")) {
      std::string name(identifier_at(line, 6));
      info.classes.push_back({module + "." + name, {}});
      current = info.classes.size() - 1;
    } else if (line.starts_with("def ")) {
      current.reset();  // a free function ends the class above it
    } else if (current && line.starts_with("  def ")) {
      ClassInfo& owner = info.classes[*current];
      std::string name(identifier_at(line, 6));
      owner.methods.push_back(name);
      if (name == "forward") {
        size_t open = line_start + 6 + name.size();
        if (open < source.size() && source[open] == '(') {
          info.forward_by_class[owner.name] = {owner.name, name, signature_after(source, open)};
        }
      }
    }
    line_start = line_end + 1;
  }
  count_call_sites(source, info);
}

std::vector<OperatorUse> operators_from_code(const CodeInfo& info) {
  std::vector<OperatorUse> operators;
  for (const auto& [name, count] : info.call_sites) {
    OperatorUse use;
    use.name = name;
    use.count = count;
    operators.push_back(std::move(use));
  }
  return operators;
}

}  // namespace mtool
