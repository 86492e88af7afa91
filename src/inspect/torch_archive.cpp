// PyTorch's zip archives: torch.jit.save (TorchScript), _save_for_lite_interpreter
// (lite) and torch.save (zip format, PyTorch >= 1.6). Only the central directory
// and the small records (pickles, code, version, extra files) are read; tensor
// payloads are never touched.
#include <algorithm>
#include <charconv>
#include <fmt/format.h>

#include "archive/top_folder.h"
#include "archive/zip_archive.h"
#include "inspect/bytecode.h"
#include "inspect/pickle_contents.h"
#include "inspect/probes.h"
#include "inspect/tensor_collector.h"
#include "inspect/torchscript_code.h"
#include "pickle/pickle_reader.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

// Records larger than these are not "small": they are reported, not read.
constexpr uint64_t kMaxCodeBytes = 16ull << 20;
constexpr uint64_t kMaxExtraTextBytes = 64 * 1024;  // room for a recipe with 1000 labels

class ArchiveView {
 public:
  ArchiveView(const ZipArchive& zip, std::string top) : zip_(zip), prefix_(top + "/") {}

  const ZipEntry* find(std::string_view relative) const { return zip_.find(prefix_ + std::string(relative)); }
  std::string relative(const ZipEntry& entry) const { return entry.name.substr(prefix_.size()); }
  std::string read(const ZipEntry& entry, uint64_t max_size) const { return zip_.read(entry, max_size); }
  const ZipArchive& zip() const { return zip_; }

  std::optional<PickleProgram> pickle(std::string_view relative_name) const {
    const ZipEntry* entry = find(relative_name);
    if (entry == nullptr) return std::nullopt;
    std::string bytes = read(*entry, kMaxPickleRecordBytes);
    try {
      return read_pickle(bytes);
    } catch (const FormatError& error) {
      throw FormatError(fmt::format("{}: {}", relative_name, error.what()), error.damage());
    }
  }

 private:
  const ZipArchive& zip_;
  std::string prefix_;
};

std::optional<int64_t> parse_version_record(const std::string& text) {
  int64_t version = 0;
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::nullopt;
  auto [end, error] = std::from_chars(text.data() + start, text.data() + text.size(), version);
  if (error != std::errc()) return std::nullopt;
  return version;
}

bool is_text(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 || byte == '\n' || byte == '\r' || byte == '\t';
  });
}

void list_records(const ArchiveView& view, ModelReport& report) {
  for (const ZipEntry& entry : view.zip().entries()) {
    report.records.push_back(
        {view.relative(entry), entry.uncompressed_size, entry.compressed_size, entry.method != 0});
  }
}

void read_extra_files(const ArchiveView& view, ModelReport& report) {
  for (const ZipEntry& entry : view.zip().entries()) {
    std::string name = view.relative(entry);
    if (!name.starts_with("extra/") || entry.is_directory()) continue;
    ExtraFile extra{name.substr(6), entry.uncompressed_size, std::nullopt};
    if (entry.uncompressed_size <= kMaxExtraTextBytes && !entry.encrypted()) {
      std::string content = view.read(entry, kMaxExtraTextBytes);
      if (is_text(content)) extra.text = std::move(content);
    }
    report.extra_files.push_back(std::move(extra));
  }
}

// Small records some PyTorch releases add beside the model (2.x writes the
// byte order and a serialization id).
void read_producer_records(const ArchiveView& view, ModelReport& report) {
  for (auto [record, key] : {std::pair{"byteorder", "byteorder"}, std::pair{".data/serialization_id", "serialization_id"}}) {
    const ZipEntry* entry = view.find(record);
    if (entry == nullptr || entry->uncompressed_size > 256) continue;
    std::string value = view.read(*entry, 256);
    if (is_text(value)) report.producer[key] = value.substr(0, value.find_last_not_of(" \r\n") + 1);
  }
}

void read_version(const ArchiveView& view, ModelReport& report) {
  // PyTorch 1.8+ may write .data/version (file format 6); older ones write version.
  for (std::string_view name : {"version", ".data/version"}) {
    if (const ZipEntry* entry = view.find(name)) {
      report.file_format_version = parse_version_record(view.read(*entry, 64));
      if (report.file_format_version) return;
    }
  }
}

CodeInfo read_code(const ArchiveView& view) {
  CodeInfo code;
  for (const ZipEntry& entry : view.zip().entries()) {
    std::string name = view.relative(entry);
    if (!name.starts_with("code/") || !name.ends_with(".py")) continue;
    scan_torchscript_source(module_of_code_record(name), view.read(entry, kMaxCodeBytes), code);
  }
  return code;
}

void collect_tensors(const ArchiveView& view, const std::vector<std::pair<std::string, const PickleProgram*>>& pickles,
                     ModelReport& report) {
  TensorCollector collector;
  for (const auto& [name, program] : pickles) {
    // data.pkl's storages live in data/, constants.pkl's in constants/ (and,
    // for bytecode v5+, bytecode shares constants/); fall back to numel x size.
    std::string folder = name.substr(0, name.size() - 4) + "/";
    if (name == "bytecode.pkl") folder = "constants/";
    collector.add(*program, folder, [&](const std::string& key) -> std::optional<uint64_t> {
      if (const ZipEntry* entry = view.find(folder + key)) return entry->uncompressed_size;
      return std::nullopt;
    });
  }
  report.tensors = collector.summary();
}

ModelFormat classify(const ArchiveView& view) {
  if (view.find("bytecode.pkl")) return ModelFormat::Lite;
  bool has_code = false;
  for (const ZipEntry& entry : view.zip().entries()) {
    if (view.relative(entry).starts_with("code/")) has_code = true;
  }
  if (has_code || view.find("constants.pkl")) return ModelFormat::TorchScript;
  if (view.find("data.pkl")) return ModelFormat::TorchSave;
  return ModelFormat::Zip;
}

const char* describe_format(ModelFormat format) {
  switch (format) {
    case ModelFormat::Lite: return "lite-interpreter archive (_save_for_lite_interpreter)";
    case ModelFormat::TorchScript: return "TorchScript archive (torch.jit.save)";
    case ModelFormat::TorchSave: return "torch.save archive (zip format, PyTorch 1.6+)";
    default: return "zip archive";
  }
}

void inspect_model_archive(const ArchiveView& view, ModelReport& report) {
  read_version(view, report);
  read_producer_records(view, report);
  read_extra_files(view, report);

  std::optional<PickleProgram> data = view.pickle("data.pkl");
  std::optional<PickleProgram> constants = view.pickle("constants.pkl");
  std::optional<PickleProgram> bytecode = view.pickle("bytecode.pkl");
  std::vector<std::pair<std::string, const PickleProgram*>> tensor_pickles;
  if (data) {
    report.pickle_protocol = data->protocol;
    report.root_classes = root_classes(*data);
    tensor_pickles.emplace_back("data.pkl", &*data);
    if (report.format == ModelFormat::TorchSave) {
      report.contents = read_pickle_contents(*data, [&](const std::string& key, const std::string&, uint64_t) {
        const ZipEntry* entry = view.find("data/" + key);
        return entry != nullptr ? std::optional<uint64_t>(entry->uncompressed_size) : std::nullopt;
      });
    }
  }
  if (constants) tensor_pickles.emplace_back("constants.pkl", &*constants);
  if (bytecode) tensor_pickles.emplace_back("bytecode.pkl", &*bytecode);
  collect_tensors(view, tensor_pickles, report);

  CodeInfo code = read_code(view);
  report.classes = code.classes;
  if (!report.root_classes.empty()) {
    auto forward = code.forward_by_class.find(report.root_classes.front());
    if (forward != code.forward_by_class.end()) report.forward = forward->second;
  }
  if (bytecode) {
    BytecodeInfo info = read_bytecode(*bytecode);
    report.bytecode_version = info.version;
    report.methods = info.methods;
    report.operators = info.operators;
    report.operators_source = "bytecode";
    if (!report.forward) {
      for (const MethodSignature& method : info.methods) {
        if (method.name == "forward" && (report.root_classes.empty() || method.owner == report.root_classes.front())) {
          report.forward = method;
        }
      }
    }
  } else if (!code.call_sites.empty()) {
    report.operators = operators_from_code(code);
    report.operators_source = "code";
  }
}

}  // namespace

bool try_inspect_torch_zip(Bytes file, ModelReport& report) {
  if (!looks_like_zip(file)) return false;
  report.format = ModelFormat::Zip;  // what a damaged one was meant to be
  ZipArchive zip(file);
  std::string top = common_top_folder(zip.entries());
  ArchiveView view(zip, top);
  ModelFormat format = top.empty() ? ModelFormat::Zip : classify(view);
  report.format = format;
  report.description = describe_format(format);
  if (format == ModelFormat::Zip) {
    for (const ZipEntry& entry : zip.entries()) {
      report.records.push_back({entry.name, entry.uncompressed_size, entry.compressed_size, entry.method != 0});
    }
    bool numpy = !zip.entries().empty() && std::all_of(zip.entries().begin(), zip.entries().end(), [](const ZipEntry& e) {
      return e.name.ends_with(".npy");
    });
    if (numpy) report.description = "NumPy .npz archive (zip of .npy arrays)";
    return true;
  }
  report.archive_name = top;
  list_records(view, report);
  inspect_model_archive(view, report);
  return true;
}

}  // namespace mtool
