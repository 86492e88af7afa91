// libFuzzer target: any bytes as a netpbm photo's header. A header that reads
// must survive its own rewriting: the rewritten photo reads back to the same
// kind, size and maximum value, with the same raster.
#include <cstddef>
#include <cstdint>
#include <string>

#include "io/error.h"
#include "score/netpbm_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    mtool::NetpbmHeader header = mtool::read_netpbm_header(bytes);
    if (header.width == 0 || header.height == 0 || header.raster_offset > size) __builtin_trap();
    std::string rewritten = mtool::without_header_comments(bytes);
    mtool::NetpbmHeader again = mtool::read_netpbm_header(rewritten);
    if (again.kind != header.kind || again.width != header.width || again.height != header.height ||
        again.max_value != header.max_value ||
        rewritten.substr(again.raster_offset) != bytes.substr(header.raster_offset)) {
      __builtin_trap();
    }
  } catch (const mtool::Error&) {
  }
  return 0;
}
