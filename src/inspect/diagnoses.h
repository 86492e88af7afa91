#pragma once
// Turns what inspect found into which runtimes load the file and into
// diagnoses: each a stable code, a severity, a cause and a fix.
#include "inspect/inspector.h"

namespace mtool {

void add_compatibility(ModelReport& report);
void add_diagnoses(ModelReport& report, const InspectOptions& options);
void add_coreml_diagnoses(ModelReport& report, const InspectOptions& options);  // coreml_diagnoses.cpp
void add_onnx_diagnoses(ModelReport& report);                                    // onnx_diagnoses.cpp

// Operator namespaces that a stock LibTorch / LibTorch-Lite registers.
bool is_builtin_operator_namespace(std::string_view name_space);

}  // namespace mtool
