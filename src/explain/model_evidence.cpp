// check_against_model: what the model file the app loaded says about each
// finding, and the commands that fix it for this file.
#include <algorithm>
#include <set>
#include <fmt/format.h>

#include "explain/explainer.h"
#include "inspect/diagnoses.h"
#include "inspect/load_advice.h"
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

// The Python that turns a torch.save file into TorchScript, with the load
// call load_advice.h decides (none for a file scan does not call safe).
std::vector<std::string> export_lines(const ModelFacts& facts) {
  std::string load = torch_load_call(facts.model, facts.python_path);
  if (load.empty()) return {};
  std::vector<std::string> lines = {"import torch"};
  std::string note = torch_load_note(facts.model);
  if (!note.empty()) lines.push_back("# " + note);
  if (holds_state_dict(facts.model)) {
    lines.push_back("model = MyModel()  # the model's own class, built as in training");
    lines.push_back(
        fmt::format("model.load_state_dict({})  # a checkpoint dict: pass its 'state_dict' / 'model' entry", load));
  } else {
    lines.push_back(
        fmt::format("model = {}  # a pickled {}: its code must be importable", load, root_class(facts.model)));
  }
  lines.push_back("model.eval()");
  lines.push_back("scripted = torch.jit.script(model)  # or torch.jit.trace(model, example_input)");
  lines.push_back("scripted.save('model.pt')");
  lines.push_back("scripted._save_for_lite_interpreter('model.ptl')  # for LibTorch-Lite");
  return lines;
}

// inspect's security diagnoses of the file (dangerous-globals, pickled-module,
// unknown-globals, pickles-not-scanned), in its order: they come before
// anything else said about loading it.
std::vector<const Diagnosis*> security_diagnoses(const ModelFacts& facts) {
  std::vector<const Diagnosis*> found;
  for (const Diagnosis& d : facts.model.diagnoses) {
    if (d.code == "dangerous-globals" || d.code == "pickled-module" || d.code == "unknown-globals" ||
        d.code == "pickles-not-scanned") {
      found.push_back(&d);
    }
  }
  return found;
}

// A torch.save file's finding: inspect's fix for the file (never a load of a
// file scan does not call safe), and its security finding first.
void advise_torch_save(Finding& finding, const ModelFacts& facts) {
  finding.python = export_lines(facts);
  if (const Diagnosis* inspected = facts.diagnosis(shared::kTorchSaveNotTorchScript.code)) finding.fix = inspected->fix;
  if (python_load(facts.model) != PythonLoad::Refuse || !finding.model) return;
  std::string security;
  for (const Diagnosis* d : security_diagnoses(facts)) security += fmt::format("{} [{}] ", d->message, d->code);
  if (security.empty()) security = fmt::format("mtool scan calls it {}. ", facts.model.security->verdict);
  finding.model->reason = security + finding.model->reason;
  finding.fix = kDoNotLoad;
  std::string scan = fmt::format("mtool scan {}", facts.shell_path);
  if (std::find(finding.commands.begin(), finding.commands.end(), scan) == finding.commands.end()) {
    finding.commands.push_back(scan);
  }
}

void check_torch_save(Finding& finding, const ModelFacts& facts) {
  if (facts.torch_save()) {
    std::string root = root_class(facts.model);
    judge(finding, ModelVerdict::Confirms,
          fmt::format("The file is a torch.save file{}, not TorchScript.",
                      root.empty() ? "" : holds_state_dict(facts.model) ? fmt::format(" holding a {} of tensors (a state_dict or checkpoint)", root)
                                                                        : fmt::format(" holding a pickled {}", root)));
    advise_torch_save(finding, facts);
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
    advise_torch_save(finding, facts);
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
    advise_torch_save(finding, facts);
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

// A Core ML or ExecuTorch finding against a file of the other kind (or neither).
void check_foreign(Finding& finding, const ModelFacts& facts, const char* runtime) {
  if (finding.code == "executorch-identifier-mismatch") {
    judge(finding, ModelVerdict::Confirms, fmt::format("The file is not an ExecuTorch program at all ({}).", facts.what()));
  } else {
    judge(finding, ModelVerdict::Refutes, fmt::format("The file ({}) is not a {} model.", facts.what(), runtime));
  }
}

// inspect found the same failure in the file: its message, and its fix for this file.
bool confirmed_by_inspect(Finding& finding, const ModelFacts& facts) {
  const Diagnosis* same = facts.diagnosis(finding.code);
  if (!same) return false;
  judge(finding, ModelVerdict::Confirms, same->message);
  finding.fix = same->fix;
  return true;
}

std::string input_list(const CoreMlModel& model) {
  std::vector<std::string> inputs;
  for (const CoreMlFeature& input : model.inputs) inputs.push_back(fmt::format("'{}' {}", input.name, input.summary()));
  return inputs.empty() ? "no inputs" : fmt::format("{}", fmt::join(inputs, ", "));
}

void check_coreml(Finding& finding, const ModelFacts& facts) {
  if (!facts.model.coreml) return check_foreign(finding, facts, "Core ML");
  const CoreMlModel& model = facts.model.coreml->model;
  if (confirmed_by_inspect(finding, facts)) return;
  const std::string& code = finding.code;
  if (code == "coreml-vision-needs-image-input") {
    bool image =
        std::any_of(model.inputs.begin(), model.inputs.end(), [](const CoreMlFeature& f) { return f.type == "Image"; });
    judge(finding, image ? ModelVerdict::Refutes : ModelVerdict::Confirms,
          image ? fmt::format("The file has an Image input ({}), which Vision accepts: the app loaded a different "
                              "model.",
                              input_list(model))
                : fmt::format("The file has no Image input: {}.", input_list(model)));
  } else if (code == "coreml-flexible-shape-unbounded") {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("Every input of the file has a fixed or bounded shape ({}): the app loaded a different model.",
                      input_list(model)));
  } else {
    judge(finding, ModelVerdict::Unrelated,
          fmt::format("The file is a Core ML {} (specification {}) with {}.", model.kind,
                      facts.model.coreml->required_specification, input_list(model)));
  }
}

void check_executorch_identifier(Finding& finding, const ModelFacts& facts) {
  const std::string& identifier = facts.model.executorch->identifier;
  std::string logged = finding.value("identifier");
  std::string expected = finding.value("expected");
  if (!expected.empty() && identifier == expected) {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The file's identifier is {}, the one the runtime expects: the app loaded a different or "
                      "damaged copy.",
                      identifier));
  } else if (!logged.empty() && identifier != logged) {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The file's identifier is {}, not '{}': the app loaded a different copy.", identifier, logged));
  } else {
    judge(finding, ModelVerdict::Confirms, fmt::format("The file's identifier is {}.", identifier));
  }
}

void check_executorch_backend(Finding& finding, const ModelFacts& facts) {
  std::string backend = finding.value("backend");
  std::set<std::string> backends;
  for (const EtMethod& method : facts.model.executorch->methods) {
    for (const EtDelegate& delegate : method.delegates) backends.insert(delegate.backend);
  }
  if (backends.contains(backend)) {
    judge(finding, ModelVerdict::Confirms, fmt::format("The program delegates to {}.", backend));
  } else {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The program delegates to {}, not {}: the app loaded a different program.",
                      backends.empty() ? "no backend" : fmt::format("{}", fmt::join(backends, ", ")),
                      backend.empty() ? "the backend logged" : backend));
  }
}

// "aten::add.out" in the log against the program's operator table (by full name, or by name).
void check_executorch_operators(Finding& finding, const ModelFacts& facts) {
  std::set<std::string> called;
  for (const EtMethod& method : facts.model.executorch->methods) {
    for (const EtOperator& op : method.operators) {
      called.insert(op.full_name());
      called.insert(op.name);
    }
  }
  std::string logged = finding.value("operators");
  if (logged.empty()) {
    judge(finding, ModelVerdict::Unrelated, "The log does not name the operator.");
    return;
  }
  std::vector<std::string> listed, absent;
  size_t start = 0;
  while (start <= logged.size()) {
    size_t comma = std::min(logged.find(',', start), logged.size());
    std::string op = logged.substr(start, comma - start);
    (called.contains(op) ? listed : absent).push_back(op);
    start = comma + 1;
  }
  if (!listed.empty()) {
    judge(finding, ModelVerdict::Confirms, fmt::format("The program calls {}.", fmt::join(listed, ", ")));
    finding.commands.push_back(
        fmt::format("mtool inspect --selected-ops-yaml {} > selected_operators.yaml", facts.shell_path));
  } else {
    judge(finding, ModelVerdict::Refutes,
          fmt::format("The program does not call {}: the app loaded a different program.", fmt::join(absent, ", ")));
  }
}

void check_executorch(Finding& finding, const ModelFacts& facts) {
  if (!facts.model.executorch) return check_foreign(finding, facts, "ExecuTorch");
  const std::string& code = finding.code;
  if (code == "executorch-identifier-mismatch") check_executorch_identifier(finding, facts);
  else if (code == "executorch-backend-not-linked") check_executorch_backend(finding, facts);
  else if (code == "executorch-missing-operator") check_executorch_operators(finding, facts);
  else judge(finding, ModelVerdict::Unrelated, fmt::format("The file is {}.", facts.what()));
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
  else if (code.starts_with("coreml-")) check_coreml(finding, facts);
  else if (code.starts_with("executorch-")) check_executorch(finding, facts);
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
