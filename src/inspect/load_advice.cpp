#include "inspect/load_advice.h"

#include <fmt/format.h>

#include "inspect/shared_diagnoses.h"

namespace mtool {

const char* const kDoNotLoad =
    "Do not load it in Python: its pickles name globals that are dangerous or not known to be safe (see the "
    "security diagnosis; `mtool scan` lists them). Export TorchScript from the code and weights you trust instead.";

PythonLoad python_load(const ModelReport& report) {
  if (!report.security) return PythonLoad::WeightsOnly;
  if (report.security->verdict != "safe") return PythonLoad::Refuse;
  return report.security->weights_only_refuses.empty() ? PythonLoad::WeightsOnly : PythonLoad::ScannedFull;
}

std::string torch_load_call(const ModelReport& report, const std::string& python_path) {
  switch (python_load(report)) {
    case PythonLoad::Refuse: return "";
    case PythonLoad::WeightsOnly:
      return fmt::format("torch.load({}, map_location='cpu', weights_only=True)", python_path);
    case PythonLoad::ScannedFull:
      return fmt::format("torch.load({}, map_location='cpu', weights_only=False)", python_path);
  }
  return "";
}

std::string torch_load_note(const ModelReport& report) {
  if (python_load(report) != PythonLoad::ScannedFull) return "";
  const std::vector<std::string>& refused = report.security->weights_only_refuses;
  // Measured: torch 1.13 fails with "Weights only load failed ... Unsupported class
  // numpy.core.multiarray._reconstruct" on a dict of NumPy arrays; a full load reads it.
  return fmt::format(
      "weights_only=True fails on this file in PyTorch 1.13: it refuses {}{}. mtool scan finds "
      "only globals that build values there, so a full load runs no code from this copy (scan any "
      "other copy before loading it)",
      refused.front(), refused.size() > 1 ? fmt::format(" and {} more", refused.size() - 1) : "");
}

std::string torch_save_fix(const ModelReport& report) {
  switch (python_load(report)) {
    case PythonLoad::Refuse: return kDoNotLoad;
    case PythonLoad::WeightsOnly:
      return fmt::format(shared::kTorchSaveNotTorchScript.fix, "torch.load(path, weights_only=True)");
    case PythonLoad::ScannedFull:
      return fmt::format(shared::kTorchSaveNotTorchScript.fix, "torch.load(path, weights_only=False)") +
             fmt::format(" {}.", torch_load_note(report));
  }
  return "";
}

}  // namespace mtool
