#include "inspect/coreml_weights.h"

#include <fmt/format.h>
#include <set>

namespace mtool {

namespace {

constexpr uint64_t kRecordSize = 64;
constexpr uint32_t kSentinel = 0xDEADBEEF;

// MILBlob BlobDataType, named as MIL.proto's types are (coreml_spec.cpp).
std::string blob_type(uint32_t code) {
  static const char* kNames[] = {"?",     "fp16",  "fp32",  "uint8",  "int8",   "bf16", "int16", "uint16", "int4",
                                 "uint1", "uint2", "uint4", "uint3",  "uint6",  "int32", "uint32", "fp8e4m3fn",
                                 "fp8e5m2"};
  return code < std::size(kNames) && code > 0 ? kNames[code] : fmt::format("type {}", code);
}

// The records in file order, from the header on, for a weight file whose
// program was not read (compiled models): each record's data ends where the
// next 64-byte aligned record begins.
std::vector<CoreMlBlobRef> chained_records(Bytes file, uint32_t count) {
  constexpr uint32_t kMaxRecords = 100000;
  std::vector<CoreMlBlobRef> refs;
  uint64_t offset = kRecordSize;
  for (uint32_t i = 0; i < count && i < kMaxRecords && offset <= file.size() - kRecordSize; ++i) {
    refs.push_back({"", offset, "const", ""});
    uint64_t data = u64le_at(file, offset + 16);
    uint64_t size = u64le_at(file, offset + 8);
    if (u32le_at(file, offset) != kSentinel || data > file.size() || size > file.size() - data) break;
    offset = (data + size + kRecordSize - 1) / kRecordSize * kRecordSize;
  }
  return refs;
}

}  // namespace

std::string blob_precision(const CoreMlBlobRef& blob, const std::string& stored_type) {
  const std::string& op = blob.op_type;
  if (op.starts_with("constexpr_lut_to_dense")) return stored_type + " palettized";
  if (op.starts_with("constexpr_affine_dequantize") || op.starts_with("constexpr_blockwise_shift_scale")) {
    return stored_type + " linear quantized";
  }
  if (op.starts_with("constexpr_sparse")) return stored_type + " sparse";
  if (op.starts_with("constexpr")) return stored_type + " " + op.substr(std::string_view("constexpr_").size());
  return stored_type;
}

CoreMlWeightFile walk_weight_file(Bytes file, const std::string& path, const std::vector<CoreMlBlobRef>& blobs) {
  CoreMlWeightFile result;
  result.path = path;
  result.present = true;
  result.size = file.size();
  if (file.size() < kRecordSize) {
    result.problems.push_back(fmt::format("{} is {} bytes, shorter than its 64-byte header", path, file.size()));
    return result;
  }
  result.blob_count = u32le_at(file, 0);
  result.version = u32le_at(file, 4);
  if (result.version != 2) {
    result.problems.push_back(fmt::format("{} has storage version {}, not 2", path, result.version));
  }
  // Every blob has its own 64-byte record after the header, so the count is
  // bounded by the file's size; a larger one is a damaged or forged header.
  if (result.blob_count > (file.size() - kRecordSize) / kRecordSize) {
    result.problems.push_back(fmt::format("{}'s header counts {} blobs, more than its {} bytes can hold", path,
                                          result.blob_count, file.size()));
  }
  std::set<uint64_t> seen;
  for (const CoreMlBlobRef& blob : blobs.empty() ? chained_records(file, result.blob_count) : blobs) {
    if (!seen.insert(blob.offset).second) continue;
    if (blob.offset < kRecordSize || blob.offset > file.size() - kRecordSize) {
      result.problems.push_back(fmt::format("the program's blob at offset {} is past the end of {} ({} bytes)",
                                            blob.offset, path, file.size()));
      continue;
    }
    Bytes record = file.substr(blob.offset, kRecordSize);
    uint32_t sentinel = u32le_at(record, 0);
    uint32_t type = u32le_at(record, 4);
    uint64_t size = u64le_at(record, 8);
    uint64_t data = u64le_at(record, 16);
    if (sentinel != kSentinel) {
      result.problems.push_back(fmt::format("no blob record at offset {} of {} (sentinel {:#x}, not 0xdeadbeef)",
                                            blob.offset, path, sentinel));
      continue;
    }
    if (data > file.size() || size > file.size() - data) {
      result.problems.push_back(fmt::format("blob at offset {}: its {} bytes of data at {} run past the end of {} "
                                            "({} bytes)", blob.offset, size, data, path, file.size()));
      continue;
    }
    std::string stored = blob_type(type);
    if (!blob.data_type.empty() && blob.data_type != stored) {
      result.problems.push_back(fmt::format("blob at offset {} holds {} but the program declares {}", blob.offset,
                                            stored, blob.data_type));
    }
    CoreMlWeightTotals& totals = result.by_type[blob_precision(blob, stored)];
    ++totals.tensors;
    totals.bytes += size;
  }
  constexpr size_t kShownProblems = 3;
  if (result.problems.size() > kShownProblems) {
    size_t more = result.problems.size() - kShownProblems;
    result.problems.resize(kShownProblems);
    result.problems.push_back(fmt::format("{} more blobs like these", more));
  }
  if (seen.size() > result.blob_count) {
    result.problems.push_back(fmt::format("the program references {} blobs but {} holds {}", seen.size(), path,
                                          result.blob_count));
  }
  return result;
}

}  // namespace mtool
