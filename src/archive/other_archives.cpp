#include "archive/other_archives.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <memory>

#include "archive/inflate.h"

namespace mtool {

namespace {

constexpr size_t kTarBlock = 512;

// A tar header's checksum field (octal, at 148) is the sum of its bytes with
// the field itself read as spaces; tarfile accepts unsigned or signed sums.
bool tar_checksum_matches(Bytes header) {
  uint64_t stored = 0;
  bool digits = false;
  for (size_t i = 148; i < 156; ++i) {
    char c = header[i];
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + static_cast<uint64_t>(c - '0');
      digits = true;
    } else if (c != ' ' && c != '\0') {
      return false;
    } else if (digits) {
      break;
    }
  }
  if (!digits) return false;
  int64_t unsigned_sum = 0, signed_sum = 0;
  for (size_t i = 0; i < kTarBlock; ++i) {
    bool in_field = i >= 148 && i < 156;
    unsigned_sum += in_field ? ' ' : static_cast<uint8_t>(header[i]);
    signed_sum += in_field ? ' ' : static_cast<int8_t>(header[i]);
  }
  return static_cast<int64_t>(stored) == unsigned_sum || static_cast<int64_t>(stored) == signed_sum;
}

}  // namespace

bool looks_like_other_archive(Bytes bytes) {
  return starts_with(bytes, std::string_view("7z\xBC\xAF\x27\x1C", 6)) ||     // 7z
         (bytes.size() > 262 && bytes.substr(257, 5) == "ustar") ||            // tar
         (bytes.size() >= kTarBlock && tar_checksum_matches(bytes.substr(0, kTarBlock)));  // v7 tar
}

bool looks_like_compressed_stream(Bytes bytes) {
  bool zlib = bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x78 &&
              ((static_cast<uint8_t>(bytes[0]) << 8) | static_cast<uint8_t>(bytes[1])) % 31 == 0;
  return zlib || starts_with(bytes, "\x1f\x8b") || starts_with(bytes, "BZh") ||
         starts_with(bytes, std::string_view("\xFD" "7zXZ\0", 6)) ||
         starts_with(bytes, std::string_view("\x5d\x00\x00", 3));  // LZMA alone: lc/lp/pb 3/0/2, dictionary size
}

namespace {
// libarchive may have no message for an error: it returns null then.
std::string error_text(archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unreadable data";
}

}  // namespace

std::optional<std::string> decompress_stream(Bytes bytes, uint64_t max_bytes, std::string& error) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 0x78) {
    try {
      return inflate_stream(bytes, max_bytes, DeflateWrapper::Zlib);
    } catch (const FormatError& failure) {
      error = failure.what();
      return std::nullopt;
    }
  }
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_raw(reader.get());
  archive_entry* entry = nullptr;
  if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK ||
      archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) {
    error = error_text(reader.get());
    return std::nullopt;
  }
  std::string out;
  char buffer[1 << 16];
  while (true) {
    la_ssize_t read = archive_read_data(reader.get(), buffer, sizeof buffer);
    if (read < 0) {
      error = error_text(reader.get());
      return std::nullopt;
    }
    if (read == 0) return out;
    out.append(buffer, static_cast<size_t>(read));
    if (out.size() > max_bytes) {
      error = "too large to scan";
      return std::nullopt;
    }
  }
}

std::string for_each_archive_member(Bytes bytes, uint64_t max_member_bytes,
                                    const std::function<void(const std::string&, Bytes)>& visit) {
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_7zip(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return fmt::format("cannot open the archive ({})", error_text(reader.get()));
  }
  archive_entry* entry = nullptr;
  std::string problems;
  while (true) {
    int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) return fmt::format("cannot read the archive ({})", error_text(reader.get()));
    // 7z members may carry no file type at all: skip only what is surely not a file.
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR || type == AE_IFLNK || type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO ||
        type == AE_IFSOCK) {
      continue;
    }
    std::string name = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "?";
    if (archive_entry_is_encrypted(entry)) {
      problems += fmt::format("{}{}: encrypted", problems.empty() ? "" : "; ", name);
      continue;
    }
    la_int64_t size = archive_entry_size(entry);
    if (size < 0 || static_cast<uint64_t>(size) > max_member_bytes) {
      problems += fmt::format("{}{}: too large to scan", problems.empty() ? "" : "; ", name);
      continue;
    }
    std::string content(static_cast<size_t>(size), '\0');
    la_ssize_t read = archive_read_data(reader.get(), content.data(), content.size());
    if (read < 0 || static_cast<size_t>(read) != content.size()) {
      problems += fmt::format("{}{}: {}", problems.empty() ? "" : "; ", name, error_text(reader.get()));
      continue;
    }
    visit(name, content);
  }
  return problems;
}

}  // namespace mtool
