#include "archive/repack.h"

#include <set>

#include "archive/shared_constants.h"
#include "archive/top_folder.h"
#include "archive/zip_archive.h"
#include "archive/zip_writer.h"

namespace mtool {

namespace {

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
                    const std::map<std::string, std::string>& replace, bool share_constants) {
  ZipArchive archive(input);
  SharedConstants shared = share_constants ? find_shared_constants(archive) : SharedConstants{};
  ZipWriter writer(out);
  std::string top = archive_name;
  if (top.empty()) top = first_record_folder(archive.entries());
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
    if (shared.dropped_records.contains(relative)) continue;
    if (!shared.empty() && (relative == "bytecode.pkl" || relative == "constants.pkl")) {
      add_record(writer, name, rename_storage_keys(archive.read(entry, ~uint64_t{0}), shared.renamed_keys));
      continue;
    }
    if (!shared.empty()) name = top + "/" + shared.record_name(relative);
    add_record(writer, name, archive.read(entry, ~uint64_t{0}));
  }
  for (const auto& [relative, content] : replace) {
    if (!replaced.contains(relative)) add_record(writer, top + "/" + relative, content);
  }
  writer.finish();
}

}  // namespace mtool
