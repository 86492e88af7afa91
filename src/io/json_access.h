#pragma once
// Checked access to untrusted JSON (safetensors headers, Core ML's
// Manifest.json and metadata.json, ...). nlohmann's own accessors throw
// type_error on a value of the wrong type; these throw mtool's FormatError
// instead, naming what was expected, so a hostile header is a clear "damaged
// file" and never an internal error or a silent default.
#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "io/error.h"

namespace mtool {

using Json = nlohmann::json;

// Parses `text`; a FormatError naming `what` when it is not JSON.
inline Json parse_json(std::string_view text, std::string_view what) {
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) throw FormatError(fmt::format("{} is not valid JSON", what));
  return json;
}

// object[key], or nullptr when absent; a FormatError when `object` is not an object.
inline const Json* json_find(const Json& object, std::string_view key, std::string_view what) {
  if (!object.is_object()) throw FormatError(fmt::format("{} is not a JSON object", what));
  auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// object[key], which must exist.
inline const Json& json_member(const Json& object, std::string_view key, std::string_view what) {
  const Json* value = json_find(object, key, what);
  if (value == nullptr) throw FormatError(fmt::format("{} has no \"{}\"", what, key));
  return *value;
}

// object[key] as an object, which must be there.
inline const Json& json_object(const Json& object, std::string_view key, std::string_view what) {
  const Json* value = json_find(object, key, what);
  if (value == nullptr || !value->is_object()) {
    throw FormatError(fmt::format("{}: '{}' is missing or not an object", what, key));
  }
  return *value;
}

inline const Json& json_array(const Json& value, std::string_view what) {
  if (!value.is_array()) throw FormatError(fmt::format("{} is not a JSON array", what));
  return value;
}

inline std::string json_string(const Json& value, std::string_view what) {
  if (!value.is_string()) throw FormatError(fmt::format("{} is not a string", what));
  return value.get<std::string>();
}

// object[key] as a string, or `fallback` when absent; a FormatError when it is
// there with another type.
inline std::string json_string(const Json& object, std::string_view key, std::string_view what,
                               const std::string& fallback = "") {
  const Json* value = json_find(object, key, what);
  if (value == nullptr) return fallback;
  if (!value->is_string()) throw FormatError(fmt::format("{}: '{}' is not a string", what, key));
  return value->get<std::string>();
}

// A non-negative integer (JSON has one number type: 3.0 and -1 are refused).
inline uint64_t json_u64(const Json& value, std::string_view what) {
  if (!value.is_number_unsigned()) throw FormatError(fmt::format("{} is not a non-negative integer", what));
  return value.get<uint64_t>();
}

// A scalar as text: strings as they are, numbers and booleans printed.
inline std::string json_scalar_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return "";
}

}  // namespace mtool
