#include "archive/top_folder.h"

namespace mtool {

std::string_view below_top_folder(std::string_view name) {
  size_t slash = name.find('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::string first_record_folder(const std::vector<ZipEntry>& entries) {
  if (entries.empty()) return {};
  const std::string& name = entries.front().name;
  return name.substr(0, name.find('/'));
}

std::string common_top_folder(const std::vector<ZipEntry>& entries) {
  std::string top;
  for (const ZipEntry& entry : entries) {
    size_t slash = entry.name.find('/');
    if (slash == std::string::npos || slash == 0) return {};
    std::string folder = entry.name.substr(0, slash);
    if (top.empty()) top = folder;
    if (folder != top) return {};
  }
  return top;
}

}  // namespace mtool
