#pragma once
// A JSON document as one line of output. Names from files may hold bytes that
// are not UTF-8: they are replaced (U+FFFD), never a reason to fail.
#include <nlohmann/json.hpp>
#include <string>

namespace mtool {

template <typename Json>
std::string json_text(const Json& document) {
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mtool
