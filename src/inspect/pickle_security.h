#pragma once
// inspect's view of what `mtool scan` finds: every global the file's pickles
// name, classified, with diagnoses for the dangerous and the unknown.
#include "inspect/model_report.h"
#include "io/byte_reader.h"

namespace mtool {

void add_pickle_security(Bytes file, ModelReport& report);

}  // namespace mtool
