#include "inspect/executorch_external_data.h"

#include <filesystem>
#include <map>
#include <system_error>

#include "inspect/format_diagnoses.h"
#include "inspect/probes.h"
#include "io/mapped_file.h"

namespace mtool {

namespace {

// A folder of thousands of files is not a model's folder; look at no more.
constexpr size_t kMaxDataFiles = 64;

// Every key each readable .ptd file beside `program` holds, by file name.
std::map<std::string, std::string> keys_beside(const std::filesystem::path& program) {
  std::map<std::string, std::string> owners;
  std::error_code error;
  std::filesystem::path folder = program.parent_path().empty() ? "." : program.parent_path();
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (files == kMaxDataFiles) break;
    if (entry.path().extension() != ".ptd" || !entry.is_regular_file(error)) continue;
    ++files;
    try {
      MappedFile file(entry.path().string());
      ModelReport data;
      if (!try_inspect_executorch(file.bytes(), data) || !data.executorch || data.executorch->kind != "data") continue;
      for (const EtNamedData& named : data.executorch->named_data) owners.emplace(named.key, entry.path().filename());
    } catch (const Error&) {
      continue;  // an unreadable or damaged data file holds nothing usable
    }
  }
  return owners;
}

}  // namespace

void resolve_executorch_external_data(ModelReport& report) {
  if (!report.executorch || report.executorch->external_tensors.empty()) return;
  std::map<std::string, std::string> owners = keys_beside(report.path);
  for (EtExternalTensor& tensor : report.executorch->external_tensors) {
    auto found = owners.find(tensor.key);
    if (found != owners.end()) tensor.found_in = found->second;
  }
  report.executorch->external_checked = true;
  add_executorch_external_data_diagnosis(report);
}

}  // namespace mtool
