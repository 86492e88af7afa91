// libFuzzer target: the zip reader, its damage analysis and local-header recovery.
#include <cstddef>
#include <cstdint>

#include "archive/inflate.h"
#include "archive/zip_archive.h"
#include "archive/zip_damage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtool::Bytes bytes(reinterpret_cast<const char*>(data), size);
  try {
    mtool::ZipArchive zip(bytes);
    for (const mtool::ZipEntry& entry : zip.entries()) {
      try {
        zip.read(entry, 1 << 16);  // enough to reach every code path; bombs cost time, not coverage
      } catch (const mtool::FormatError&) {
      }
    }
  } catch (const mtool::FormatError&) {
    mtool::explain_missing_central_directory(bytes);
  }
  for (const mtool::LocalRecord& record : mtool::find_local_records(bytes)) {
    try {
      if (record.method == 8) mtool::inflate_stream(record.data_to_next, 1 << 16);
    } catch (const mtool::FormatError&) {
    }
  }
  return 0;
}
