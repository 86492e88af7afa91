#include "inspect/executorch_external_data.h"

#include <filesystem>
#include <map>

#include "archive/file_folder.h"
#include "inspect/format_diagnoses.h"
#include "inspect/probes.h"

namespace mtool {

namespace {

// A folder of thousands of files is not a model's folder; look at no more.
constexpr size_t kMaxDataFiles = 64;

// Every key each readable .ptd file in `folder` holds, by file name.
std::map<std::string, std::string> keys_in(const FileFolder& folder) {
  std::map<std::string, std::string> owners;
  size_t files = 0;
  for (const FolderFile& file : folder.files(SIZE_MAX, /*recursive=*/false)) {
    if (files == kMaxDataFiles) break;
    if (!file.path.ends_with(".ptd")) continue;
    ++files;
    try {
      FileContent content = folder.read(file.path);
      ModelReport data;
      if (!try_inspect_executorch(content.bytes(), data) || !data.executorch || data.executorch->kind != "data") {
        continue;
      }
      for (const EtNamedData& named : data.executorch->named_data) owners.emplace(named.key, file.path);
    } catch (const Error&) {
      continue;  // an unreadable or damaged data file holds nothing usable
    }
  }
  return owners;
}

}  // namespace

void resolve_executorch_external_data(ModelReport& report, const FileFolder& beside) {
  if (!report.executorch || report.executorch->external_tensors.empty()) return;
  std::map<std::string, std::string> owners = keys_in(beside);
  for (EtExternalTensor& tensor : report.executorch->external_tensors) {
    auto found = owners.find(tensor.key);
    if (found != owners.end()) tensor.found_in = found->second;
  }
  report.executorch->external_checked = true;
  add_executorch_external_data_diagnosis(report);
}

void resolve_executorch_external_data(ModelReport& report) {
  if (!report.executorch || report.executorch->external_tensors.empty()) return;
  std::filesystem::path folder = std::filesystem::path(report.path).parent_path();
  resolve_executorch_external_data(report, DiskFolder(folder.empty() ? "." : folder.string()));
}

}  // namespace mtool
