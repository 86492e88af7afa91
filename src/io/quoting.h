#pragma once
// A path as it must be written into a command a user copies: into a POSIX
// shell line, or into Python source.
#include <string>
#include <string_view>

namespace mtool {

// "model.pt" stays as it is; "my model's.pt" becomes 'my model'\''s.pt'; a name
// with control characters (ESC, a newline) becomes $'m\x1b[1m.pt'.
std::string shell_quote(std::string_view text);

// 'model.pt', with backslashes, quotes and control characters escaped.
std::string python_string(std::string_view text);

}  // namespace mtool
