#pragma once
// The zip format's numbers (PKWARE APPNOTE 6.3: 4.3.7 local file header,
// 4.3.12 central directory header, 4.3.14-16 zip64 and end records), written
// once for the reader, the damage analysis and the writer; and its CRC-32.
#include <cstdint>
#include <string_view>

namespace mtool::zip {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;    // "PK\3\4"
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;  // "PK\1\2"
constexpr uint32_t kEndSignature = 0x06054b50;            // "PK\5\6"
constexpr uint32_t kZip64EndSignature = 0x06064b50;       // "PK\6\6"
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;   // "PK\6\7"
constexpr std::string_view kLocalHeaderBytes("PK\x03\x04", 4);
constexpr std::string_view kEndSignatureBytes("PK\x05\x06", 4);

constexpr uint64_t kLocalHeaderSize = 30;  // fixed part, before the name and extra field
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kEndRecordSize = 22;
constexpr uint64_t kMaxCommentSize = 0xffff;

// Field offsets in the local header.
constexpr uint64_t kLocalNameLengthOffset = 26;
constexpr uint64_t kLocalExtraLengthOffset = 28;

// Sizes and offsets at or above this are stored in the zip64 extra field.
constexpr uint64_t kZip64Limit = 0xffffffffu;

constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;

// CRC-32 as zip computes it, of content of any size.
uint32_t crc32_of(std::string_view content);

}  // namespace mtool::zip
