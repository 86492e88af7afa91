#include "inspect/app_bundle.h"

#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <system_error>

#include "archive/file_folder.h"
#include "archive/zip_archive.h"
#include "inspect/diagnoses.h"
#include "inspect/executorch_external_data.h"
#include "inspect/probes.h"
#include "io/mapped_file.h"

namespace mtool {

namespace {

constexpr uint64_t kMaxInflated = 256ull << 20;  // one compressed record, inflated
constexpr int kMaxZipDepth = 3;                  // an .aar inside an .aab inside a zip
constexpr uint64_t kMaxFiles = 200'000;
constexpr int kMaxFolderDepth = 32;

bool is_model_format(ModelFormat format) {
  switch (format) {
    case ModelFormat::TorchScript: case ModelFormat::Lite: case ModelFormat::LiteFlatbuffer:
    case ModelFormat::TorchSave: case ModelFormat::TorchSaveLegacy: case ModelFormat::ExecuTorch:
    case ModelFormat::Onnx: case ModelFormat::CoreMl: case ModelFormat::TfLite: case ModelFormat::Safetensors:
    case ModelFormat::Gguf:
      return true;
    default: return false;
  }
}

bool is_pytorch_format(ModelFormat format) {
  return format == ModelFormat::TorchScript || format == ModelFormat::Lite || format == ModelFormat::LiteFlatbuffer ||
         format == ModelFormat::TorchSave || format == ModelFormat::TorchSaveLegacy;
}

// The folders of a zip that hold a folder-shaped model (a Core ML .mlpackage
// or .mlmodelc, as try_inspect_model_folder knows them by their Manifest.json
// or coremldata.bin), as record-name prefixes ("Payload/X.app/M.mlmodelc/").
std::vector<std::string> model_folder_candidates(const ZipArchive& zip) {
  std::vector<std::string> folders;
  for (const ZipEntry& entry : zip.entries()) {
    std::string_view file = std::string_view(entry.name).substr(entry.name.rfind('/') + 1);
    if (file != "Manifest.json" && file != "coremldata.bin") continue;
    std::string folder = parent_folder(entry.name);
    folders.push_back(folder.empty() ? "" : folder + "/");
  }
  // Outer folders first: a model's own sub-folders (analytics/coremldata.bin) are part of it.
  std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
  folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
  return folders;
}

class Walker {
 public:
  Walker(AppReport& app, const InspectOptions& options) : app_(app), options_(options) {}

  // One file's bytes: a model, a zip to open, or neither. `beside` is the
  // folder it is in, where an ExecuTorch program's .ptd files would be.
  void visit(Bytes bytes, const std::string& location, const FileFolder& beside, int zip_depth) {
    if (++app_.files > kMaxFiles) {
      if (app_.files == kMaxFiles + 1) app_.skipped.push_back(fmt::format("more than {} files: the rest", kMaxFiles));
      return;
    }
    ModelReport report = inspect_bytes(bytes, app_.path + (folder_ ? "/" : "!") + location, options_);
    bool damaged_model = report.format == ModelFormat::Corrupt && report.damaged_format &&
                         is_model_format(*report.damaged_format);
    if (is_model_format(report.format) || damaged_model) {
      resolve_executorch_external_data(report, beside);
      if (options_.runtime && is_pytorch_format(damaged_model ? *report.damaged_format : report.format) &&
          report.has_error()) {
        app_.runtime_cannot_load.push_back(location);
      }
      app_.models.push_back({location, std::move(report)});
    } else if (report.format == ModelFormat::Zip) {
      walk_zip(bytes, location + "!", zip_depth + 1);
    }
  }

  void walk_zip(Bytes bytes, const std::string& prefix, int depth) {
    if (depth > kMaxZipDepth) {
      app_.skipped.push_back(fmt::format("{}: zips nested deeper than {}", prefix, kMaxZipDepth));
      return;
    }
    try {
      ZipArchive zip(bytes);
      std::vector<std::pair<std::string, FolderModel>> folder_models = zipped_folder_models(zip, prefix);
      std::set<std::string> reported;
      for (const ZipEntry& entry : zip.entries()) {
        if (entry.is_directory() || entry.uncompressed_size == 0) continue;
        std::string location = prefix + entry.name;
        auto folder = std::find_if(folder_models.begin(), folder_models.end(),
                                   [&](const auto& f) { return entry.name.starts_with(f.first); });
        if (folder != folder_models.end()) {
          // A model's files are the model: reported once, where its first record is.
          if (reported.insert(folder->first).second) add_folder_model(std::move(folder->second));
          continue;
        }
        std::string parent = parent_folder(entry.name);
        ZipFolder beside(zip, parent.empty() ? "" : parent + "/", kMaxInflated);
        if (entry.method == 0 && !entry.encrypted()) {
          visit(zip.stored_bytes(entry), location, beside, depth);
          continue;
        }
        if (entry.uncompressed_size > kMaxInflated) {
          app_.skipped.push_back(fmt::format("{}: {} bytes compressed, over the {} MiB mtool inflates", location,
                                             entry.uncompressed_size, kMaxInflated >> 20));
          continue;
        }
        try {
          std::string content = zip.read(entry, kMaxInflated);
          visit(content, location, beside, depth);
        } catch (const Error& error) {
          app_.skipped.push_back(fmt::format("{}: {}", location, error.what()));
        }
      }
    } catch (const Error& error) {
      app_.skipped.push_back(fmt::format("{}: {}", prefix.empty() ? app_.path : prefix, error.what()));
    }
  }

  void walk_folder(const std::filesystem::path& root) {
    folder_ = true;
    std::error_code error;
    auto it = std::filesystem::recursive_directory_iterator(
        root, std::filesystem::directory_options::skip_permission_denied, error);
    for (; !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (it.depth() > kMaxFolderDepth) {
        it.disable_recursion_pending();
        continue;
      }
      std::string location = std::filesystem::relative(it->path(), root, error).string();
      if (it->is_directory(error) && !it->is_symlink(error)) {
        if (auto model = inspect_folder_model(DiskFolder(it->path().string()), location)) {
          add_folder_model(std::move(*model));
          it.disable_recursion_pending();
        }
        continue;
      }
      if (!it->is_regular_file(error) || it->is_symlink(error)) continue;
      try {
        MappedFile file(it->path().string());
        visit(file.bytes(), location, DiskFolder(it->path().parent_path().string()), 0);
      } catch (const Error& failure) {
        app_.skipped.push_back(fmt::format("{}: {}", location, failure.what()));
      }
    }
  }

 private:
  // A folder-shaped model, inspected as `mtool inspect FOLDER` does (nothing
  // when the folder is no model), or the damage that stopped it.
  struct FolderModel {
    std::string location;
    ModelReport report;
    std::optional<std::string> damage;
  };

  std::optional<FolderModel> inspect_folder_model(const FileFolder& folder, const std::string& location) {
    FolderModel model{location, {}, std::nullopt};
    model.report.path = app_.path + (folder_ ? "/" : "!") + location;
    try {
      if (!try_inspect_model_folder(folder, model.report)) return std::nullopt;
    } catch (const Error& damage) {
      model.damage = damage.what();
      return model;
    }
    add_diagnoses(model.report, options_);
    return model;
  }

  void add_folder_model(FolderModel model) {
    if (model.damage) {
      app_.skipped.push_back(fmt::format("{}: damaged Core ML package: {}", model.location, *model.damage));
      return;
    }
    app_.files += model.report.coreml ? model.report.coreml->files.size() : 1;  // its files were looked at
    app_.models.push_back({model.location, std::move(model.report)});
  }

  // The zip's folder models by record-name prefix, outer ones only; `prefix` names the zip.
  std::vector<std::pair<std::string, FolderModel>> zipped_folder_models(const ZipArchive& zip,
                                                                        const std::string& prefix) {
    std::vector<std::pair<std::string, FolderModel>> found;
    for (const std::string& folder : model_folder_candidates(zip)) {
      bool inside = std::any_of(found.begin(), found.end(), [&](const auto& f) { return folder.starts_with(f.first); });
      if (inside) continue;
      std::string location = prefix + (folder.empty() ? "" : folder.substr(0, folder.size() - 1));
      if (auto model = inspect_folder_model(ZipFolder(zip, folder, kMaxInflated), location)) {
        found.emplace_back(folder, std::move(*model));
      }
    }
    return found;
  }

  AppReport& app_;
  const InspectOptions& options_;
  bool folder_ = false;
};

std::string zip_kind(Bytes bytes) {
  try {
    ZipArchive zip(bytes);
    bool manifest = zip.find("AndroidManifest.xml") != nullptr;
    if (zip.find("base/manifest/AndroidManifest.xml")) return "aab";
    if (manifest && zip.find("classes.jar")) return "aar";
    if (manifest) return "apk";
    for (const ZipEntry& entry : zip.entries()) {
      if (entry.name.starts_with("Payload/") && entry.name.find(".app/") != std::string::npos) return "ipa";
    }
  } catch (const Error&) {
  }
  return "zip";
}

}  // namespace

bool is_app_container(const std::string& path, const ModelReport* report) {
  if (report) return report->format == ModelFormat::Zip;
  ModelReport package;
  try {
    return is_directory(path) && !try_inspect_directory(path, package);
  } catch (const FormatError&) {
    return false;  // a damaged package: inspect reports its damage
  }
}

AppReport inspect_app(const std::string& path, const InspectOptions& options) {
  AppReport app;
  app.path = path;
  Walker walker(app, options);
  if (is_directory(path)) {
    std::error_code error;
    app.kind = std::filesystem::exists(std::filesystem::path(path) / "Info.plist", error) ? "app" : "folder";
    walker.walk_folder(path);
    return app;
  }
  MappedFile file(path);
  app.kind = zip_kind(file.bytes());
  walker.walk_zip(file.bytes(), "", 0);
  return app;
}

}  // namespace mtool
