#include "inspect/executorch_dtypes.h"

#include <fmt/format.h>
#include <iterator>

namespace mtool {

namespace {

struct ScalarType {
  const char* name;
  uint64_t size;
};

// Indexed by the enum value; 8 (complex32) and the bit-packed types 18-22 are
// c10's, listed so a newer file still gets a name.
constexpr ScalarType kScalarTypes[] = {
    {"uint8", 1},       {"int8", 1},          {"int16", 2},         {"int32", 4},       {"int64", 8},
    {"float16", 2},     {"float32", 4},       {"float64", 8},       {"complex32", 4},   {"complex64", 8},
    {"complex128", 16}, {"bool", 1},          {"qint8", 1},         {"quint8", 1},      {"qint32", 4},
    {"bfloat16", 2},    {"quint4x2", 1},      {"quint2x4", 1},      {"bits1x8", 1},     {"bits2x4", 1},
    {"bits4x2", 1},     {"bits8", 1},         {"bits16", 2},        {"float8_e5m2", 1}, {"float8_e4m3fn", 1},
    {"float8_e5m2fnuz", 1}, {"float8_e4m3fnuz", 1}, {"uint16", 2},  {"uint32", 4},      {"uint64", 8},
};

}  // namespace

std::string scalar_type_name(int scalar_type) {
  if (scalar_type < 0 || static_cast<size_t>(scalar_type) >= std::size(kScalarTypes)) {
    return fmt::format("scalar type {}", scalar_type);
  }
  return kScalarTypes[scalar_type].name;
}

uint64_t scalar_type_size(int scalar_type) {
  if (scalar_type < 0 || static_cast<size_t>(scalar_type) >= std::size(kScalarTypes)) return 0;
  return kScalarTypes[scalar_type].size;
}

bool is_quantized_scalar_type(int scalar_type) {
  return (scalar_type >= 12 && scalar_type <= 14) || scalar_type == 16 || scalar_type == 17;
}

}  // namespace mtool
