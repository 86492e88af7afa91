#include "archive/shared_constants.h"

#include <optional>
#include <vector>

#include "archive/top_folder.h"

namespace mtool {

namespace {

// The pickler's encodings of a string: SHORT_BINUNICODE when it fits a byte.
std::vector<std::string> encodings(const std::string& text) {
  std::vector<std::string> forms;
  std::string binunicode = "X";
  for (int shift = 0; shift < 32; shift += 8) binunicode.push_back(static_cast<char>((text.size() >> shift) & 0xff));
  forms.push_back(binunicode + text);
  if (text.size() < 256) forms.push_back(std::string("\x8c") + static_cast<char>(text.size()) + text);
  return forms;
}

bool mentions(Bytes pickle, const std::string& key) {
  for (const std::string& form : encodings(key)) {
    if (pickle.find(form) != Bytes::npos) return true;
  }
  return false;
}

std::optional<std::string> read_pickle(const ZipArchive& archive, const ZipEntry* entry) {
  if (entry == nullptr) return std::nullopt;
  std::string content = archive.read(*entry, kMaxPickleRecordBytes);
  if (!content.starts_with("\x80\x02")) return std::nullopt;
  return content;
}

const ZipEntry* find_below_top(const ZipArchive& archive, std::string_view relative) {
  for (const ZipEntry& entry : archive.entries()) {
    if (below_top_folder(entry.name) == relative) return &entry;
  }
  return nullptr;
}

}  // namespace

SharedConstants find_shared_constants(const ZipArchive& archive) {
  SharedConstants shared;
  std::optional<std::string> constants = read_pickle(archive, find_below_top(archive, "constants.pkl"));
  std::optional<std::string> bytecode = read_pickle(archive, find_below_top(archive, "bytecode.pkl"));
  if (!constants || !bytecode) return shared;
  // Before v5, bytecode.pkl's tensors live in bytecode/ and its keys mean those.
  for (const ZipEntry& entry : archive.entries()) {
    if (below_top_folder(entry.name).starts_with("bytecode/")) return shared;
  }
  struct Stored {
    const ZipEntry* entry;
    std::string key;
  };
  std::vector<Stored> kept;  // records constants.pkl refers to
  std::vector<Stored> bytecode_only;
  for (const ZipEntry& entry : archive.entries()) {
    std::string_view relative = below_top_folder(entry.name);
    if (!relative.starts_with("constants/") || entry.is_directory()) continue;
    std::string key(relative.substr(std::string_view("constants/").size()));
    if (mentions(*constants, key)) {
      kept.push_back({&entry, key});
    } else if (mentions(*bytecode, key)) {
      bytecode_only.push_back({&entry, key});
    }
  }
  // Short keys in the order the records come, as PyTorch's writer numbers them.
  size_t next_key = 0;
  auto short_key = [&next_key](const std::string& key) {
    return std::to_string(next_key++) + (key.ends_with(".storage") ? ".storage" : "");
  };
  for (const Stored& stored : kept) shared.renamed_keys[stored.key] = short_key(stored.key);
  for (const Stored& candidate : bytecode_only) {
    const Stored* same = nullptr;
    for (const Stored& original : kept) {
      const ZipEntry& a = *candidate.entry;
      const ZipEntry& b = *original.entry;
      if (a.uncompressed_size != b.uncompressed_size || a.crc32 != b.crc32) continue;
      if (archive.read(a, ~uint64_t{0}) != archive.read(b, ~uint64_t{0})) continue;
      same = &original;
      break;
    }
    if (same != nullptr) {
      shared.dropped_records.insert("constants/" + candidate.key);
      shared.renamed_keys[candidate.key] = shared.renamed_keys[same->key];
    } else {
      shared.renamed_keys[candidate.key] = short_key(candidate.key);
    }
  }
  return shared;
}

std::string SharedConstants::record_name(const std::string& relative) const {
  if (!relative.starts_with("constants/")) return relative;
  auto renamed = renamed_keys.find(relative.substr(std::string_view("constants/").size()));
  return renamed == renamed_keys.end() ? relative : "constants/" + renamed->second;
}

std::string rename_storage_keys(Bytes pickle, const std::map<std::string, std::string>& renamed_keys) {
  std::string out;
  out.reserve(pickle.size());
  size_t at = 0;
  while (at < pickle.size()) {
    // A BINUNICODE ('X', 4-byte length) or SHORT_BINUNICODE (0x8c, 1-byte) string here?
    char opcode = pickle[at];
    size_t header = opcode == 'X' ? 5 : opcode == '\x8c' ? 2 : 0;
    if (header != 0 && at + header <= pickle.size()) {
      uint64_t length = 0;
      for (size_t i = header - 1; i >= 1; --i) length = (length << 8) | static_cast<unsigned char>(pickle[at + i]);
      if (length <= pickle.size() - at - header) {
        auto renamed = renamed_keys.find(std::string(pickle.substr(at + header, length)));
        if (renamed != renamed_keys.end()) {
          out += encodings(renamed->second)[opcode == 'X' || renamed->second.size() > 255 ? 0 : 1];
          at += header + length;
          continue;
        }
      }
    }
    out.push_back(pickle[at++]);
  }
  return out;
}

}  // namespace mtool
