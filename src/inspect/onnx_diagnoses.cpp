// What an ONNX model's own structure says will fail when it is loaded.
#include <fmt/format.h>

#include "inspect/diagnoses.h"

namespace mtool {

void add_onnx_diagnoses(ModelReport& report) {
  if (!report.onnx) return;
  std::vector<std::string> missing, outside;
  for (const OnnxExternalFile& file : report.onnx->external_files) {
    if (file.outside_folder) {
      outside.push_back(file.location);
    } else if (!file.present) {
      missing.push_back(fmt::format("{} (missing, {} tensors)", file.location, file.tensors));
    } else if (file.size < file.needed) {
      missing.push_back(fmt::format("{} (is {} bytes, tensors read up to byte {})", file.location, file.size, file.needed));
    }
  }
  if (!outside.empty()) {
    report.diagnoses.push_back(
        {"onnx-external-data-outside-folder", Severity::Error,
         fmt::format("Initializers name external data files outside the model's folder: {}. onnx 1.16 and later "
                     "refuse to read them (path traversal, CVE-2024-27318); mtool did not open them.",
                     fmt::join(outside, ", ")),
         "Do not load this model as it is. If you made it, save it again with the data files beside it "
         "(onnx.save_model(model, path, save_as_external_data=True, location=\"NAME.data\"))."});
  }
  if (missing.empty()) return;
  report.diagnoses.push_back(
      {"onnx-external-data-missing", Severity::Error,
       fmt::format("Initializers are stored outside the model, in files that are not beside it: {}. onnx.load and "
                   "ONNX Runtime fail to open it.", fmt::join(missing, ", ")),
       "Copy the external data files next to the .onnx file (same relative paths), or save the model with "
       "onnx.save_model(model, path, save_as_external_data=False) when it is under 2 GB."});
}

}  // namespace mtool
