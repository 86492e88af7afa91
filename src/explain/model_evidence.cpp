// check_against_model: what the model file the app loaded says about each
// finding, and the commands that fix it for this file.
#include <algorithm>
#include <fmt/format.h>

#include "explain/explainer.h"
#include "inspect/diagnoses.h"
#include "inspect/shared_diagnoses.h"
#include "io/quoting.h"

namespace mtool {

namespace {

struct ModelFacts {
  const ModelReport& model;
  std::string shell_path;
  std::string python_path;
  bool dangerous = false;

  bool is(ModelFormat format) const { return model.format == format; }
  bool torch_save() const { return is(ModelFormat::TorchSave) || is(ModelFormat::TorchSaveLegacy); }
  bool lite() const { return is(ModelFormat::Lite) || is(ModelFormat::LiteFlatbuffer); }
  const Diagnosis* diagnosis(std::string_view code) const {
    for (const Diagnosis& d : model.diagnoses) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
  std::string what() const { return model.description.empty() ? format_name(model.format) : model.description; }
};

void judge(Finding& finding, ModelVerdict verdict, std::string reason) {
  finding.model = ModelEvidence{verdict, std::move(reason)};
}

std::string root_class(const ModelReport& model) { return model.root_classes.empty() ? "" : model.root_classes.front(); }

bool holds_state_dict(const ModelReport& model) {
  std::string root = root_class(model);
  return root.empty() || root == "collections.OrderedDict" || root == "dict";
}

// The Python that turns a torch.save file into TorchScript, for a file that does not scan dangerous.
std::vector<std::string> export_lines(const ModelFacts& facts) {
  std::vector<std::string> lines = {"import torch"};
  if (holds_state_dict(facts.model)) {
    lines.push_back("model = MyModel()  # the model's own class, built as in training");
    lines.push_back(fmt::format("model.load_state_dict(torch.load({}, map_location='cpu'))  # a checkpoint dict: "
                                "pass its 'state_dict' / 'model' entry", facts.python_path));
  } else {
    lines.push_back(fmt::format("model = torch.load({}, map_location='cpu', weights_only=False)  # a pickled {}: "
                                "its code must be importable, and you must trust the file",
                                facts.python_path, root_class(facts.model)));
  }
  lines.push_back("model.eval()");
  lines.push_back("scripted = torch.jit.script(model)  # or torch.jit.trace(model, example_input)");
  lines.push_back("scripted.save('model.pt')");
  lines.push_back("scripted._save_for_lite_interpreter('model.ptl')  # for LibTorch-Lite");
  return lines;
}

void check_torch_save(Finding& finding, const ModelFacts& facts) {
  if (facts.torch_save()) {
    std::string root = root_class(facts.model);
    judge(finding, ModelVerdict::Confirms,
          fmt::format("The file is a torch.save file{}, not TorchScript.",
                      root.empty() ? "" : holds_state_dict(facts.model) ? fmt::format(" holding a {} of tensors (a state_dict or checkpoint)", root)
                                                                        : fmt::format(" holding a pickled {}", root)));
    if (!facts.dangerous) finding.python = export_lines(facts);
  } else if (facts.is(ModelFormat::TorchScript) || facts.lite()) {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The file ({}) has constants.pkl: the app loaded a different file (check the path and the "
                      "copy bundled in the app).", facts.what()));
  } else {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) is not a torch.save file.", facts.what()));
  }
}

void check_not_lite(Finding& finding, const ModelFacts& facts) {
  if (facts.is(ModelFormat::TorchScript)) {
    judge(finding, ModelVerdict::Confirms, "The file is a full TorchScript archive, without bytecode.pkl.");
    finding.commands.push_back(fmt::format("mtool convert {} -o model.ptl", facts.shell_path));
  } else if (facts.lite()) {
    judge(finding, ModelVerdict::Refutes,
          "The file is a lite-interpreter model (it has bytecode): the app loaded a different file.");
  } else if (facts.torch_save()) {
    judge(finding, ModelVerdict::Confirms,
          "The file is a torch.save file, not TorchScript at all: export it to TorchScript first, then for the lite "
          "interpreter.");
    if (!facts.dangerous) finding.python = export_lines(facts);
  } else {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) is not TorchScript.", facts.what()));
  }
}

void check_bytecode(Finding& finding, const ModelFacts& facts) {
  if (!facts.lite() || !facts.model.bytecode_version) {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) is not a lite-interpreter model.", facts.what()));
    return;
  }
  int64_t version = *facts.model.bytecode_version;
  std::string logged = finding.value("model_bytecode");
  if (!logged.empty() && logged != std::to_string(version)) {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The file is bytecode version {}, not {}: the app loaded a different copy.", version, logged));
    return;
  }
  judge(finding, ModelVerdict::Confirms, fmt::format("The file is bytecode version {}.", version));
  std::string high = finding.value("runtime_max");
  if (finding.code == shared::kBytecodeTooNew.code && !high.empty() && std::stoi(high) >= shared::kOldestBackportTarget) {
    finding.commands.push_back(fmt::format("mtool backport {} --to {}", facts.shell_path, high));
    finding.python = {"import torch",
                      fmt::format("torch.jit.mobile._backport_for_mobile({}, 'model.v{}.ptl', {})", facts.python_path, high, high)};
  }
}

void check_file_format(Finding& finding, const ModelFacts& facts) {
  if (!facts.model.file_format_version) {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) has no PyTorch archive version.", facts.what()));
    return;
  }
  std::string version = std::to_string(*facts.model.file_format_version);
  std::string logged = finding.value("file_format");
  bool same = logged.empty() || logged == version;
  judge(finding, same ? ModelVerdict::Confirms : ModelVerdict::Refutes,
        same ? fmt::format("The file is format version {}.", version)
             : fmt::format("The file is format version {}, not {}: the app loaded a different copy.", version, logged));
}

void check_operator(Finding& finding, const ModelFacts& facts) {
  std::string op = finding.value("operator");
  if (facts.model.operators_source.empty()) {
    judge(finding, ModelVerdict::Unrelated, fmt::format("The file ({}) has no operator list mtool can read.", facts.what()));
    return;
  }
  auto use = std::find_if(facts.model.operators.begin(), facts.model.operators.end(),
                          [&](const OperatorUse& u) { return u.name == op || u.full_name() == op; });
  if (op.empty()) {
    judge(finding, ModelVerdict::Unrelated, "The log does not name the operator.");
  } else if (use != facts.model.operators.end()) {
    judge(finding, ModelVerdict::Confirms, fmt::format("The file calls {} ({} call site{} in its {}).", op, use->count,
                                                       use->count == 1 ? "" : "s", facts.model.operators_source));
  } else {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file does not call {}: the app loaded a different model.", op));
  }
}

void check_quantized(Finding& finding, const ModelFacts& facts) {
  bool quantized = facts.diagnosis(shared::kQuantizedModel.code) != nullptr;
  judge(finding, quantized ? ModelVerdict::Confirms : ModelVerdict::Refutes,
        quantized ? facts.diagnosis(shared::kQuantizedModel.code)->message
                  : fmt::format("The file ({}) is not quantized: the app loaded a different model.", facts.what()));
}

// truncated, damaged, zip-not-model, git-lfs-pointer, download-error-page: inspect's own diagnoses.
void check_file_state(Finding& finding, const ModelFacts& facts) {
  if (const Diagnosis* same = facts.diagnosis(finding.code)) {
    judge(finding, ModelVerdict::Confirms, same->message);
    return;
  }
  for (const char* code : {shared::kTruncated.code, shared::kDamaged.code, shared::kGitLfsPointer.code,
                           shared::kDownloadErrorPage.code, shared::kZipNotModel.code, shared::kEmptyFile.code}) {
    if (const Diagnosis* other = facts.diagnosis(code)) {
      judge(finding, ModelVerdict::Refutes, fmt::format("Not quite: {} [{}]", other->message, code));
      return;
    }
  }
  if (facts.is(ModelFormat::TorchSaveLegacy) && finding.code == shared::kTruncated.code) {
    judge(finding, ModelVerdict::Refutes,
          "The file is complete: a torch.save file in the pre-1.6 format, which torch::jit::load cannot read "
          "[torch-save-not-torchscript].");
    if (!facts.dangerous) finding.python = export_lines(facts);
    return;
  }
  judge(finding, ModelVerdict::Refutes,
        fmt::format("The file reads completely ({}): the app loaded a different, damaged copy.", facts.what()));
}

void check_pickle(Finding& finding, const ModelFacts& facts) {
  finding.commands.push_back(fmt::format("mtool scan {}", facts.shell_path));
  const std::optional<PickleSecurity>& security = facts.model.security;
  if (!security) {
    judge(finding, finding.code == "unpickling-error" ? ModelVerdict::Confirms : ModelVerdict::Unrelated,
          fmt::format("The file ({}) holds no pickle mtool could scan.", facts.what()));
    return;
  }
  if (security->verdict == "dangerous") {
    judge(finding, ModelVerdict::Confirms,
          fmt::format("mtool scan finds globals that run code: {}. Do not load this file with weights_only=False.",
                      fmt::join(security->dangerous, ", ")));
    finding.fix = find_failure("pickle-dangerous")->fix;
  } else if (security->verdict == "unknown") {
    judge(finding, ModelVerdict::Confirms,
          fmt::format("The pickle names globals outside torch.load's weights-only allowlist: {}.",
                      fmt::join(security->unknown, ", ")));
  } else {
    judge(finding, ModelVerdict::Refutes,
          "Every global in the file is on the weights-only allowlist: the app loaded a different file.");
  }
}

void check_signature(Finding& finding, const ModelFacts& facts) {
  if (!facts.model.forward) {
    judge(finding, ModelVerdict::Unrelated, fmt::format("mtool cannot read forward()'s signature from this file ({}).", facts.what()));
    return;
  }
  const std::optional<Signature>& parsed = facts.model.forward->signature;
  std::string signature = render_signature(parsed);
  judge(finding, ModelVerdict::Unrelated, fmt::format("forward{}", signature));
  std::string got = finding.value("got");
  if (finding.code == "output-type-mismatch" && !got.empty() && parsed) {
    const std::string& returns = parsed->returns;
    bool tuple = returns.find("Tuple") != std::string::npos;
    bool agrees = (got == "Tuple") == tuple && (got != "Tensor" || returns.find("Tensor") != std::string::npos);
    judge(finding, agrees ? ModelVerdict::Confirms : ModelVerdict::Unrelated,
          fmt::format("forward{}: it returns {}", signature, returns));
  }
}

void check_foreign(Finding& finding, const ModelFacts& facts, ModelFormat expected, const char* runtime) {
  if (facts.is(expected)) {
    judge(finding, ModelVerdict::Unrelated,
          fmt::format("The file is a {} model ({}); this build of mtool does not read its inputs or operators.", runtime, facts.what()));
  } else if (finding.code == "executorch-identifier-mismatch") {
    judge(finding, ModelVerdict::Confirms, fmt::format("The file is not an ExecuTorch program at all ({}).", facts.what()));
  } else {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) is not a {} model.", facts.what(), runtime));
  }
}

void check_finding(Finding& finding, const ModelFacts& facts) {
  const std::string& code = finding.code;
  if (code == shared::kTorchSaveNotTorchScript.code) check_torch_save(finding, facts);
  else if (code == shared::kTorchScriptNotLite.code) check_not_lite(finding, facts);
  else if (code == shared::kBytecodeTooNew.code || code == shared::kBytecodeTooOld.code) check_bytecode(finding, facts);
  else if (code == shared::kFileFormatTooNew.code) check_file_format(finding, facts);
  else if (code == shared::kCustomOperators.code || code == "operator-not-in-runtime") check_operator(finding, facts);
  else if (code == "quantized-backend-missing") check_quantized(finding, facts);
  else if (code == shared::kTruncated.code || code == shared::kDamaged.code || code == shared::kZipNotModel.code ||
           code == shared::kGitLfsPointer.code || code == shared::kDownloadErrorPage.code ||
           code == shared::kEmptyFile.code) check_file_state(finding, facts);
  else if (code == "weights-only-load-failed" || code == "pickle-dangerous" || code == "unpickling-error") check_pickle(finding, facts);
  else if (code.starts_with("coreml-")) check_foreign(finding, facts, ModelFormat::CoreMl, "Core ML");
  else if (code.starts_with("executorch-")) check_foreign(finding, facts, ModelFormat::ExecuTorch, "ExecuTorch");
  else check_signature(finding, facts);
  // Never hand out Python that loads a file that scans dangerous.
  if (facts.dangerous) {
    finding.python.clear();
    std::string scan = fmt::format("mtool scan {}", facts.shell_path);
    if (std::find(finding.commands.begin(), finding.commands.end(), scan) == finding.commands.end()) {
      finding.commands.push_back(scan);
    }
    if (finding.model && finding.code != "pickle-dangerous" && finding.model->reason.find("run code") == std::string::npos) {
      finding.model->reason += fmt::format(" Do not load it in Python: mtool scan finds globals that run code ({}).",
                                           fmt::join(facts.model.security->dangerous, ", "));
    }
  }
}

}  // namespace

void check_against_model(ExplainReport& report, ModelReport model) {
  report.model = std::move(model);
  const ModelReport& file = *report.model;
  ModelFacts facts{file, shell_quote(file.path), python_string(file.path),
                   file.security && file.security->verdict == "dangerous"};
  for (Finding& finding : report.findings) check_finding(finding, facts);
}

}  // namespace mtool
