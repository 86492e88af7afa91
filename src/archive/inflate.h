#pragma once
// Deflate streams (RFC 1951, and RFC 1950's zlib wrapping as joblib writes it),
// inflated in one place for the zip reader, the damage analysis and the scanner.
#include <cstdint>
#include <string>

#include "io/byte_reader.h"

namespace mtool {

enum class DeflateWrapper { Raw, Zlib };

// Inflates the stream at the start of `compressed` up to its end marker (bytes
// after it are ignored), producing at most `max_size` bytes. `size_hint` (the
// size a zip header declares) sizes the output once instead of growing it.
// Throws FormatError "deflate data is damaged, cut short or too large" when the
// stream is damaged, ends before its end marker, or would pass `max_size`.
std::string inflate_stream(Bytes compressed, uint64_t max_size, DeflateWrapper wrapper = DeflateWrapper::Raw,
                           uint64_t size_hint = 0);

}  // namespace mtool
