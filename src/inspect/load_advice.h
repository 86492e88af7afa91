#pragma once
// How Python may load a torch.save file, decided once from what mtool scan
// found in its pickles. inspect's fix, convert's refusal and explain's Python
// lines all come from here, so none of them loads a file scan does not call
// safe, or suggests a weights-only load that PyTorch 1.13 refuses.
#include <string>

#include "inspect/model_report.h"

namespace mtool {

enum class PythonLoad {
  Refuse,       // a global is dangerous or unknown, or a part was not scanned: do not load it
  WeightsOnly,  // torch.load(weights_only=True) reads it
  ScannedFull,  // scan calls every global safe, but 1.13's weights_only refuses some (NumPy arrays)
};

PythonLoad python_load(const ModelReport& report);

// The torch.load call for the file at python_path (a Python expression), or "" for Refuse.
std::string torch_load_call(const ModelReport& report, const std::string& python_path);

// Why a ScannedFull file is loaded without weights_only, in one sentence; "" otherwise.
std::string torch_load_note(const ModelReport& report);

// What to do instead of loading a file that scan does not call safe.
extern const char* const kDoNotLoad;

// The torch-save-not-torchscript fix for this file.
std::string torch_save_fix(const ModelReport& report);

}  // namespace mtool
