#include "archive/repack.h"

#include <set>

#include "archive/zip_archive.h"
#include "archive/zip_writer.h"

namespace mtool {

namespace {

std::string_view below_top_folder(const std::string& name) {
  size_t slash = name.find('/');
  return slash == std::string::npos ? std::string_view(name) : std::string_view(name).substr(slash + 1);
}

void add_record(ZipWriter& writer, const std::string& name, Bytes content) {
  if (is_compressed_record(name)) {
    writer.add_deflated(name, content);
  } else {
    writer.add_stored(name, content);
  }
}

}  // namespace

bool is_compressed_record(const std::string& name) { return below_top_folder(name).starts_with("code/"); }

void repack_archive(Bytes input, const std::string& archive_name, std::FILE* out,
                    const std::map<std::string, std::string>& replace) {
  ZipArchive archive(input);
  ZipWriter writer(out);
  std::string top = archive_name;
  if (top.empty() && !archive.entries().empty()) top = archive.entries().front().name.substr(0, archive.entries().front().name.find('/'));
  std::set<std::string> replaced;
  for (const ZipEntry& entry : archive.entries()) {
    std::string relative(below_top_folder(entry.name));
    std::string name = entry.name.find('/') == std::string::npos ? entry.name : top + "/" + relative;
    auto replacement = replace.find(relative);
    if (replacement != replace.end()) {
      add_record(writer, name, replacement->second);
      replaced.insert(relative);
      continue;
    }
    add_record(writer, name, archive.read(entry, ~uint64_t{0}));
  }
  for (const auto& [relative, content] : replace) {
    if (!replaced.contains(relative)) add_record(writer, top + "/" + relative, content);
  }
  writer.finish();
}

}  // namespace mtool
