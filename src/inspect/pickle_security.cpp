#include "inspect/pickle_security.h"

#include <fmt/format.h>

#include "pickle/pickle_reader.h"
#include "scan/scanner.h"

namespace mtool {

namespace {

std::string listed(const std::vector<std::string>& names, size_t most = 6) {
  std::vector<std::string> shown(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(most, names.size())));
  std::string text = fmt::format("{}", fmt::join(shown, ", "));
  if (names.size() > most) text += fmt::format(" and {} more", names.size() - most);
  return text;
}

bool is_pickled_module(const ModelReport& report) {
  if (!report.contents || report.contents->objects.empty()) return false;
  return report.contents->objects.front().key.empty();  // the root itself is an instance
}

}  // namespace

void add_pickle_security(Bytes file, ModelReport& report) {
  ScanReport scan = scan_bytes(file, report.path, GlobalPolicy{}, PickleLimits{}.max_depth);
  if (scan.pickles == 0 && scan.globals.empty() && scan.complete()) return;
  PickleSecurity security;
  security.verdict = verdict_name(scan.verdict());
  security.dangerous = scan.names(Verdict::Dangerous);
  security.unknown = scan.names(Verdict::Unknown);
  security.not_scanned = scan.not_scanned;
  security.globals = scan.globals.size();
  for (const std::string& name : scan.names(Verdict::Safe)) {
    if (!weights_only_accepts(name)) security.weights_only_refuses.push_back(name);
  }
  report.security = security;

  if (!security.dangerous.empty()) {
    report.diagnoses.push_back(
        {"dangerous-globals", Severity::Error,
         fmt::format("Its pickles name globals that run code or reach the system when unpickled ({}): loading it "
                     "with torch.load or pickle would execute them.", listed(security.dangerous)),
         "Do not load it. Get the model from a source you trust, as a TorchScript export; `mtool scan` lists every "
         "global and where it is."});
  }
  if (is_pickled_module(report)) {
    std::vector<std::string> classes;
    for (const ObjectEntry& object : report.contents->objects) {
      if (std::find(classes.begin(), classes.end(), object.class_name) == classes.end()) classes.push_back(object.class_name);
    }
    report.diagnoses.push_back(
        {"pickled-module", Severity::Warning,
         fmt::format("This is a whole pickled module (torch.save(model)): loading it needs the Python classes {} "
                     "importable under those names, and C++ cannot load it at all.", listed(classes)),
         "Do not load it unless you trust its source: unpickling imports and runs those classes. From the code that "
         "defines them, save `torch.jit.script(model)` and `model.state_dict()` rather than the model."});
  } else if (!security.unknown.empty()) {
    report.diagnoses.push_back(
        {"unknown-globals", Severity::Warning,
         fmt::format("Its pickles import names outside the safe list ({}): torch.load(weights_only=True) refuses "
                     "them, and a full torch.load imports and may run them.", listed(security.unknown)),
         "Load it only from a source you trust; `mtool scan --allow NAME` accepts names you have checked."});
  }
  if (!security.not_scanned.empty() && report.format != ModelFormat::Corrupt) {
    report.diagnoses.push_back(
        {"pickles-not-scanned", Severity::Warning,
         fmt::format("Parts of it could not be scanned for dangerous globals: {}.", listed(security.not_scanned, 3)),
         "Treat it as unsafe until it can be read through; `mtool scan` says what was and was not scanned."});
  }
}

}  // namespace mtool
