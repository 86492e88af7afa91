#pragma once
// Diagnoses for model formats of other runtimes, each from its own reader's
// findings: what the app must link or ship to load the file.
#include "inspect/model_report.h"

namespace mtool {

void add_executorch_diagnoses(ModelReport& report);       // executorch_diagnoses.cpp
// After the .ptd files beside a program were looked at (executorch_external_data.cpp).
void add_executorch_external_data_diagnosis(ModelReport& report);  // executorch_diagnoses.cpp
void add_tflite_diagnoses(ModelReport& report);           // tflite_diagnoses.cpp

}  // namespace mtool
