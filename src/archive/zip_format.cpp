#include "archive/zip_format.h"

#include <algorithm>
#include <zlib.h>

namespace mtool::zip {

uint32_t crc32_of(std::string_view content) {
  uLong crc = crc32(0L, nullptr, 0);
  // zlib takes 32-bit lengths: feed large records in pieces.
  for (size_t offset = 0; offset < content.size(); offset += 1u << 30) {
    size_t length = std::min<size_t>(content.size() - offset, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(content.data() + offset), static_cast<uInt>(length));
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace mtool::zip
