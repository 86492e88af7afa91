#include "archive/other_archives.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <memory>

namespace mtool {

bool looks_like_other_archive(Bytes bytes) {
  return starts_with(bytes, std::string_view("7z\xBC\xAF\x27\x1C", 6)) ||  // 7z
         (bytes.size() > 262 && bytes.substr(257, 5) == "ustar") ||         // tar
         starts_with(bytes, "\x1f\x8b") ||                                  // gzip
         starts_with(bytes, "BZh") ||                                       // bzip2
         starts_with(bytes, std::string_view("\xFD" "7zXZ\0", 6));          // xz
}

namespace {
// libarchive may have no message for an error: it returns null then.
std::string error_text(archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unreadable data";
}
}  // namespace

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
