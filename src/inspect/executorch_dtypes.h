#pragma once
// ExecuTorch's ScalarType numbering (schema/scalar_type.fbs), which follows
// c10::ScalarType: names as torch spells them, and element sizes.
#include <cstdint>
#include <string>

namespace mtool {

std::string scalar_type_name(int scalar_type);   // "float32", or "scalar type 99"
uint64_t scalar_type_size(int scalar_type);      // bytes per element; 0 when unknown
bool is_quantized_scalar_type(int scalar_type);  // qint8, quint8, qint32, quint4x2, quint2x4

}  // namespace mtool
