#pragma once
// 7z, tar and compressed tars, read through libarchive rather than by hand.
#include <functional>
#include <string>

#include "io/byte_reader.h"

namespace mtool {

// 7z, tar (ustar/gnu), gzip, bzip2 or xz signatures.
bool looks_like_other_archive(Bytes bytes);

// Calls `visit` with each regular member's name and content (members larger
// than `max_member_bytes` are skipped with an error). Returns "" when the whole
// archive was read, otherwise what stopped it (e.g. an encrypted member).
std::string for_each_archive_member(Bytes bytes, uint64_t max_member_bytes,
                                    const std::function<void(const std::string&, Bytes)>& visit);

}  // namespace mtool
