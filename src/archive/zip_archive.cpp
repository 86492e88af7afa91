#include "archive/zip_archive.h"

#include <algorithm>
#include <fmt/format.h>

#include "archive/inflate.h"
#include "archive/zip_damage.h"
#include "archive/zip_format.h"

namespace mtool {

namespace {

using namespace zip;

// Deflate cannot expand data by more than about 1032:1; a record that claims
// more is lying about its size (a zip bomb or damage).
constexpr uint64_t kMaxDeflateRatio = 1032;

// Offset of the end-of-central-directory record, searched backwards over the
// largest possible comment; npos when absent.
uint64_t find_end_record(Bytes file) {
  if (file.size() < kEndRecordSize) return Bytes::npos;
  uint64_t last = file.size() - kEndRecordSize;
  uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  return find_last(file, kEndSignatureBytes, first, last);
}

struct EndRecord {
  uint64_t entry_count = 0;
  uint64_t directory_size = 0;
  uint64_t directory_offset = 0;
};

EndRecord read_end_record(Bytes file, uint64_t end_offset) {
  ByteReader reader(sub_range(file, end_offset, kEndRecordSize, "end of central directory"), end_offset);
  reader.skip(4 + 2 + 2 + 2);  // signature, disk numbers, entries on this disk
  EndRecord record;
  record.entry_count = reader.u16le();
  record.directory_size = reader.u32le();
  record.directory_offset = reader.u32le();
  bool needs_zip64 = record.entry_count == 0xffff || record.directory_size == 0xffffffff ||
                     record.directory_offset == 0xffffffff;
  if (!needs_zip64 || end_offset < 20) return record;
  // Zip64: a locator just before the end record points at the zip64 end record.
  uint64_t locator_offset = end_offset - 20;
  if (u32le_at(file, locator_offset) != kZip64LocatorSignature) return record;
  uint64_t zip64_offset = u64le_at(file, locator_offset + 8);
  ByteReader zip64(sub_range(file, zip64_offset, 56, "zip64 end of central directory"), zip64_offset);
  if (zip64.u32le() != kZip64EndSignature) throw FormatError("zip64 end of central directory has a bad signature");
  zip64.skip(8 + 2 + 2 + 4 + 4 + 8);  // size, versions, disk numbers, entries on this disk
  record.entry_count = zip64.u64le();
  record.directory_size = zip64.u64le();
  record.directory_offset = zip64.u64le();
  return record;
}

// Zip64 extended information (extra field 0x0001) replaces the 32-bit fields
// that are saturated, in this order.
void apply_zip64_extra(Bytes extra, ZipEntry& entry) {
  ByteReader reader(extra);
  while (reader.remaining() >= 4) {
    uint16_t id = reader.u16le();
    uint16_t size = reader.u16le();
    ByteReader field(reader.take(size, "zip extra field"));
    if (id != 0x0001) continue;
    if (entry.uncompressed_size == 0xffffffff) entry.uncompressed_size = field.u64le();
    if (entry.compressed_size == 0xffffffff) entry.compressed_size = field.u64le();
    if (entry.local_header_offset == 0xffffffff) entry.local_header_offset = field.u64le();
  }
}

std::string inflate_record(Bytes compressed, uint64_t expected_size, const std::string& name) {
  std::string output;
  try {
    output = inflate_stream(compressed, expected_size, DeflateWrapper::Raw, expected_size);
  } catch (const FormatError&) {
    output.clear();  // reported below, with the record's name
  }
  if (output.size() != expected_size) {
    throw FormatError(fmt::format("record '{}': deflate data is damaged or does not match its declared size {}",
                                  name, expected_size));
  }
  return output;
}

}  // namespace

bool crc_matches(std::string_view content, uint32_t crc) { return crc32_of(content) == crc; }

bool looks_like_zip(Bytes file) {
  return file.size() >= 4 && (u32le_at(file, 0) == kLocalHeaderSignature || u32le_at(file, 0) == kEndSignature);
}

ZipArchive::ZipArchive(Bytes file) : file_(file) {
  uint64_t end_offset = find_end_record(file);
  if (end_offset == Bytes::npos) throw FormatError(explain_missing_central_directory(file), Damage::Truncated);
  EndRecord end = read_end_record(file, end_offset);
  if (end.directory_offset > file.size() || end.directory_size > file.size() - end.directory_offset) {
    throw FormatError(fmt::format(
        "file ends at byte {} of an archive whose central directory declares bytes {}..{}: truncated or damaged",
        file.size(), end.directory_offset, end.directory_offset + end.directory_size), Damage::Truncated);
  }
  // Each entry needs at least 46 bytes, which bounds the count before allocating.
  if (end.entry_count > end.directory_size / kCentralHeaderSize + 1) {
    throw FormatError(fmt::format("central directory claims {} records in {} bytes", end.entry_count,
                                  end.directory_size));
  }
  read_central_directory(end.directory_offset, end.directory_size, end.entry_count);
  central_directory_offset_ = end.directory_offset;
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].name, i);
  check_layout();
}

void ZipArchive::read_central_directory(uint64_t offset, uint64_t size, uint64_t count) {
  ByteReader reader(sub_range(file_, offset, size, "central directory"), offset);
  entries_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry_offset = reader.file_offset();
    if (reader.u32le() != kCentralHeaderSignature) {
      throw FormatError(fmt::format("offset {}: central directory record {} has a bad signature", entry_offset, i));
    }
    ZipEntry entry;
    reader.skip(2 + 2);  // versions
    entry.flags = reader.u16le();
    entry.method = reader.u16le();
    reader.skip(2 + 2);  // time, date
    entry.crc32 = reader.u32le();
    entry.compressed_size = reader.u32le();
    entry.uncompressed_size = reader.u32le();
    uint16_t name_length = reader.u16le();
    uint16_t extra_length = reader.u16le();
    uint16_t comment_length = reader.u16le();
    reader.skip(2 + 2 + 4);  // disk, internal and external attributes
    entry.local_header_offset = reader.u32le();
    entry.name = std::string(reader.take(name_length, "record name"));
    apply_zip64_extra(reader.take(extra_length, "record extra field"), entry);
    reader.skip(comment_length);
    entries_.push_back(std::move(entry));
  }
}

void ZipArchive::check_layout() const {
  std::vector<const ZipEntry*> by_offset;
  by_offset.reserve(entries_.size());
  for (const ZipEntry& entry : entries_) {
    if (entry.method == kStored && !entry.encrypted() && entry.compressed_size != entry.uncompressed_size) {
      throw FormatError(fmt::format("record '{}' is stored uncompressed but declares {} bytes stored and {} bytes "
                                    "of content", entry.name, entry.compressed_size, entry.uncompressed_size));
    }
    if (entry.method == kDeflated && entry.uncompressed_size / kMaxDeflateRatio > entry.compressed_size) {
      throw FormatError(fmt::format("record '{}' claims {} bytes from {} compressed bytes, more than deflate can "
                                    "produce", entry.name, entry.uncompressed_size, entry.compressed_size));
    }
    by_offset.push_back(&entry);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ZipEntry* a, const ZipEntry* b) { return a->local_header_offset < b->local_header_offset; });
  for (size_t i = 0; i < by_offset.size(); ++i) {
    const ZipEntry& entry = *by_offset[i];
    // The record occupies at least its fixed header, its name and its data.
    uint64_t end = checked_add(checked_add(entry.local_header_offset, kLocalHeaderSize + entry.name.size(),
                                           "record offset"), entry.compressed_size, "record end");
    uint64_t limit = i + 1 < by_offset.size() ? by_offset[i + 1]->local_header_offset : central_directory_offset_;
    if (end > limit) {
      if (i + 1 < by_offset.size()) {
        throw FormatError(fmt::format("records '{}' and '{}' overlap (bytes {}..{} and {}..)", entry.name,
                                      by_offset[i + 1]->name, entry.local_header_offset, end, limit));
      }
      throw FormatError(fmt::format("record '{}' declares {} bytes, which run past the central directory at byte {}",
                                    entry.name, entry.compressed_size, limit));
    }
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  auto found = index_.find(name);
  return found != index_.end() ? &entries_[found->second] : nullptr;
}

Bytes ZipArchive::stored_bytes(const ZipEntry& entry) const {
  uint64_t offset = entry.local_header_offset;
  if (u32le_at(file_, offset) != kLocalHeaderSignature) {
    throw FormatError(fmt::format("record '{}': no local header at byte {}", entry.name, offset));
  }
  uint64_t name_length = u16le_at(file_, offset + kLocalNameLengthOffset);
  uint64_t extra_length = u16le_at(file_, offset + kLocalExtraLengthOffset);
  uint64_t data_offset = offset + kLocalHeaderSize + name_length + extra_length;
  return sub_range(file_, data_offset, entry.compressed_size, "record data");
}

std::string ZipArchive::local_name(const ZipEntry& entry) const {
  uint64_t offset = entry.local_header_offset;
  if (u32le_at(file_, offset) != kLocalHeaderSignature) {
    throw FormatError(fmt::format("record '{}': no local header at byte {}", entry.name, offset));
  }
  return std::string(sub_range(file_, offset + kLocalHeaderSize, u16le_at(file_, offset + kLocalNameLengthOffset), "record name"));
}

std::string ZipArchive::read(const ZipEntry& entry, uint64_t max_size, bool verify_crc) const {
  if (entry.encrypted()) throw FormatError(fmt::format("record '{}' is encrypted", entry.name));
  if (entry.uncompressed_size > max_size) {
    throw FormatError(fmt::format("record '{}' is {} bytes, more than the {} this reader accepts", entry.name,
                                  entry.uncompressed_size, max_size));
  }
  Bytes stored = stored_bytes(entry);
  std::string content;
  if (entry.method == kStored) {
    content = std::string(stored);
  } else if (entry.method == kDeflated) {
    content = inflate_record(stored, entry.uncompressed_size, entry.name);
  } else {
    throw FormatError(fmt::format("record '{}' uses compression method {}, which mtool does not read", entry.name,
                                  entry.method));
  }
  if (verify_crc && !crc_matches(content, entry.crc32)) {
    throw FormatError(fmt::format("record '{}' fails its CRC check (damaged)", entry.name));
  }
  return content;
}

}  // namespace mtool
