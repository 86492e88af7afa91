#pragma once
// weight.bin in MILBlob storage v2 (coremltools mlmodel/src/MILBlob/Blob/
// StorageFormat.hpp): a 64-byte storage_header {u32 count, u32 version}, then
// for each blob a 64-byte blob_metadata {u32 sentinel 0xDEADBEEF, u32 dtype,
// u64 size, u64 data offset, ...} and its data, 64-byte aligned. The program's
// blobFileValue offsets point at the metadata records, which are all that is
// read: the data itself is only measured.
#include "inspect/coreml_report.h"
#include "io/byte_reader.h"

namespace mtool {

// Checks every blob the program references against the file and totals them.
// Problems (short file, bad sentinel, data past the end, type mismatches) go
// to `problems`; nothing here throws for them.
CoreMlWeightFile walk_weight_file(Bytes file, const std::string& path, const std::vector<CoreMlBlobRef>& blobs);

// "fp16", "uint4 palettized", "int8 linear"...: how a blob's bytes are used.
std::string blob_precision(const CoreMlBlobRef& blob, const std::string& stored_type);

}  // namespace mtool
