// What an app needs to run a TFLite model beyond the builtin kernels: the
// Flex delegate for Select TensorFlow ops, and registrations for custom ops.
// The interpreter's own error texts are quoted so a user can match them.
#include <fmt/format.h>
#include <set>

#include "inspect/format_diagnoses.h"

namespace mtool {

namespace {

// Custom ops that TFLite's BuiltinOpResolver registers itself
// (tensorflow/lite/core/kernels/register.cc).
bool registered_by_builtin_resolver(const std::string& name) {
  static const std::set<std::string> names = {"TFLite_Detection_PostProcess", "Mfcc", "AudioSpectrogram",
                                              "NumericVerify"};
  return names.contains(name);
}

}  // namespace

void add_tflite_diagnoses(ModelReport& report) {
  if (!report.tflite) return;
  std::vector<std::string> flex;
  std::vector<std::string> custom;
  for (const TfLiteOperatorCode& code : report.tflite->operator_codes) {
    if (!code.custom) continue;
    if (code.name.starts_with("Flex")) flex.push_back(code.name);
    else if (!registered_by_builtin_resolver(code.name)) custom.push_back(code.name);
  }
  if (!flex.empty()) {
    report.diagnoses.push_back(
        {"tflite-flex-ops", Severity::Warning,
         fmt::format("It uses {} Select TensorFlow ops ({}): without the Flex delegate the interpreter fails with "
                     "'Regular TensorFlow ops are not supported by this interpreter. Make sure you apply/link the "
                     "Flex delegate before inference.'",
                     flex.size(), fmt::join(flex, ", ")),
         "Link the Flex delegate: on Android add org.tensorflow:tensorflow-lite-select-tf-ops, on iOS "
         "TensorFlowLiteSelectTfOps (with -force_load), in C++ tensorflowlite_flex; or convert without SELECT_TF_OPS."});
  }
  if (!custom.empty()) {
    report.diagnoses.push_back(
        {"tflite-custom-ops", Severity::Warning,
         fmt::format("It uses {} custom ops that TFLite's builtin resolver lacks ({}): unless the app registers "
                     "them, loading fails with 'Encountered unresolved custom op: {}.'",
                     custom.size(), fmt::join(custom, ", "), custom.front()),
         "Register each op's kernel with the interpreter's op resolver (MutableOpResolver::AddCustom), or link the "
         "delegate that implements it (edgetpu-custom-op needs the Edge TPU delegate)."});
  }
}

}  // namespace mtool
