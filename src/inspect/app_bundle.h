#pragma once
// Models inside apps: an .apk, .aab, .ipa or .aar (zips), a Foo.app folder, or
// any other zip or folder. Every file inside is identified by its content, not
// its name, and each model is inspected as if it were on its own. Zips inside
// are opened too, a few levels deep; memory stays bounded by reading one
// record at a time, stored records in place.
#include <string>
#include <vector>

#include "inspect/inspector.h"

namespace mtool {

struct EmbeddedModel {
  std::string location;  // "assets/model.ptl", or "libs/vision.aar!assets/x.tflite" inside a nested zip
  ModelReport report;
};

struct AppReport {
  std::string path;
  std::string kind;  // "apk", "aab", "ipa", "aar", "app", "zip", "folder"
  uint64_t files = 0;  // files looked at, nested ones included
  std::vector<EmbeddedModel> models;
  std::vector<std::string> skipped;  // "lib/x.so: 2.1 GiB compressed record, over the 256 MiB limit"
  // With --runtime: the PyTorch models the app's LibTorch / LibTorch-Lite cannot load.
  std::vector<std::string> runtime_cannot_load;
};

// Whether `path` should be read as an app: a folder (other than a Core ML
// package) or a zip that is not a PyTorch archive. `report` is inspect_path's
// answer for files.
bool is_app_container(const std::string& path, const ModelReport* report);

// Throws Error(Io) when the path cannot be read.
AppReport inspect_app(const std::string& path, const InspectOptions& options);

}  // namespace mtool
