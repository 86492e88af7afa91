#pragma once
// Tensors an ExecuTorch program keeps outside itself are looked up in the
// FlatTensor (.ptd) files beside it, as an app would ship them.
#include "inspect/model_report.h"

namespace mtool {

// Marks each external tensor of `report` with the .ptd file beside
// report.path that holds it, then diagnoses the ones no file holds.
void resolve_executorch_external_data(ModelReport& report);
// The same, with the .ptd files looked for in `beside` (the program's folder
// inside an app bundle, zipped or not).
class FileFolder;
void resolve_executorch_external_data(ModelReport& report, const FileFolder& beside);

}  // namespace mtool
