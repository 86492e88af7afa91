#pragma once
// 7z, tar and compressed tars, read through libarchive rather than by hand.
#include <functional>
#include <optional>
#include <string>

#include "io/byte_reader.h"

namespace mtool {

// 7z, or a tar header (ustar, gnu, or pre-POSIX v7 without magic, which
// Python's tarfile and torch's legacy loader read: known by its checksum).
bool looks_like_other_archive(Bytes bytes);

// A single compressed stream as joblib writes one: zlib, gzip, bzip2, xz or
// raw LZMA ("alone") signatures.
bool looks_like_compressed_stream(Bytes bytes);
// Its content, at most `max_bytes`; nothing (and `error` says why) when the
// stream is damaged or larger.
std::optional<std::string> decompress_stream(Bytes bytes, uint64_t max_bytes, std::string& error);

// Calls `visit` with each regular member's name and content (members larger
// than `max_member_bytes` are skipped with an error). Returns "" when the whole
// archive was read, otherwise what stopped it (e.g. an encrypted member).
std::string for_each_archive_member(Bytes bytes, uint64_t max_member_bytes,
                                    const std::function<void(const std::string&, Bytes)>& visit);

}  // namespace mtool
