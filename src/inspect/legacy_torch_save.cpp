// torch.save before PyTorch 1.6 (the layout is in torch_pickle/legacy_layout.h),
// and plain pickles.
#include <fmt/format.h>

#include "inspect/pickle_contents.h"
#include "inspect/probes.h"
#include "inspect/tensor_collector.h"
#include "torch_pickle/legacy_layout.h"
#include "pickle/pickle_reader.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

PickleProgram next_pickle(Bytes file, uint64_t& offset, LegacyPickle which) {
  try {
    PickleProgram program = read_pickle(file.substr(offset), offset);
    offset += program.end_offset;
    return program;
  } catch (const FormatError& error) {
    throw FormatError(fmt::format("{} pickle: {}", kLegacyPickleNames[which], error.what()), error.damage());
  }
}

// Bytes the storages after the pickles take: each is an element count
// followed by its data.
uint64_t storage_bytes_needed(const TensorSummary& tensors, size_t storage_count) {
  return tensors.bytes + kLegacyStorageCountBytes * storage_count;
}

// {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {...}}
void describe_system_info(const PickleProgram& program, ModelReport& report) {
  const PickleNode* info = program.root;
  if (info == nullptr || !info->is(PickleKind::Dict)) return;
  for (size_t i = 0; i + 1 < info->items.size(); i += 2) {
    const std::string* key = info->items[i]->as_string();
    if (key != nullptr && *key == "little_endian") {
      report.producer["little_endian"] = describe(info->items[i + 1]);
    }
  }
}

// Without storage records, a storage's size is its element count times the
// dtype's element size.
std::optional<uint64_t> storage_bytes_from_numel(const std::string&, const std::string& dtype, uint64_t numel) {
  return checked_mul(numel, element_size(dtype), "legacy storage bytes");
}

}  // namespace

bool try_inspect_legacy_torch_save(Bytes file, ModelReport& report) {
  if (!looks_like_pickle(file)) return false;
  uint64_t offset = 0;
  PickleProgram magic;
  try {
    magic = next_pickle(file, offset, kLegacyMagicPickle);
  } catch (const FormatError&) {
    return false;  // not even one pickle: let the plain-pickle probe decide
  }
  if (!is_legacy_torch_save_magic(magic)) return false;

  report.format = ModelFormat::TorchSaveLegacy;
  report.description = "torch.save file in the legacy format (before PyTorch 1.6)";
  PickleProgram protocol = next_pickle(file, offset, kLegacyProtocolPickle);
  // The legacy format has no file-format version in the zip sense; its
  // "protocol version" is 1001 in every release that wrote it.
  if (auto version = protocol.root != nullptr ? protocol.root->as_int() : std::nullopt) {
    report.producer["legacy_protocol_version"] = std::to_string(*version);
  }
  PickleProgram system_info = next_pickle(file, offset, kLegacySystemInfoPickle);
  describe_system_info(system_info, report);
  PickleProgram object = next_pickle(file, offset, kLegacyObjectPickle);
  report.pickle_protocol = object.protocol;
  report.root_classes = root_classes(object);
  PickleProgram keys = next_pickle(file, offset, kLegacyStorageKeysPickle);

  TensorCollector collector;
  collector.add(object, "", {});
  report.tensors = collector.summary();
  report.contents = read_pickle_contents(object, storage_bytes_from_numel);

  size_t storage_count = keys.root != nullptr ? keys.root->items.size() : 0;
  uint64_t needed = storage_bytes_needed(*report.tensors, storage_count);
  uint64_t available = file.size() - offset;
  if (needed > available) {
    throw FormatError(fmt::format("file ends at byte {} but its {} storages need {} more bytes after byte {}: "
                                  "truncated", file.size(), storage_count, needed, offset),
                      Damage::Truncated);
  }
  return true;
}

bool try_inspect_pickle(Bytes file, ModelReport& report) {
  if (!looks_like_pickle(file)) return false;
  bool declared = static_cast<uint8_t>(file[0]) == 0x80;
  PickleProgram program;
  try {
    program = read_pickle(file);
  } catch (const FormatError&) {
    // A PROTO header says "this is a pickle": then a failure is damage.
    // Without it, the first byte was only a guess.
    if (declared) {
      report.format = ModelFormat::Pickle;
      throw;
    }
    return false;
  }
  report.format = ModelFormat::Pickle;
  report.pickle_protocol = program.protocol;
  report.root_classes = root_classes(program);
  TensorCollector collector;
  collector.add(program, "", {});
  if (collector.summary().count > 0) report.tensors = collector.summary();
  report.contents = read_pickle_contents(program, storage_bytes_from_numel);
  report.description = fmt::format("Python pickle (protocol {})", program.protocol);
  if (program.end_offset < file.size()) {
    report.description += fmt::format(", followed by {} more bytes", file.size() - program.end_offset);
  }
  return true;
}

}  // namespace mtool
