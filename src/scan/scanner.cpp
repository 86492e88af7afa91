#include "scan/scanner.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <set>

#include "archive/other_archives.h"
#include "archive/zip_archive.h"
#include "archive/zip_damage.h"
#include "inspect/torch_pickle.h"
#include "io/mapped_file.h"
#include "io/utf8.h"
#include "pickle/pickle_reader.h"

namespace mtool {

namespace {

// Nested archives deeper than this are reported, not followed.
constexpr int kMaxNesting = 6;
constexpr uint64_t kMaxRecordBytes = 2ull << 30;
// torch.save before 1.6: magic number, protocol version, system info, object,
// storage keys; raw storage bytes follow and are not pickles.
constexpr int kLegacyTorchSavePickles = 5;
constexpr std::string_view kNumpyMagic = "\x93NUMPY";

std::string join_part(const std::string& outer, const std::string& inner) {
  return outer.empty() ? inner : outer + "/" + inner;
}

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Tensor storages in PyTorch zips (data/0, constants/3, .data/...): raw numbers,
// never pickles; reading them as pickles would only produce false alarms.
bool is_tensor_storage(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view file = name.substr(slash + 1);
  // Bytecode v5 names constant storages "<number>.storage".
  if (file.ends_with(".storage")) file.remove_suffix(8);
  if (!is_digits(file)) return false;
  std::string_view folder = name.substr(0, slash);
  return folder.ends_with("data") || folder.ends_with("constants") || folder.ends_with("tensors");
}

bool is_torchscript_record(std::string_view name) {
  return name.ends_with("/constants.pkl") || name.ends_with("/bytecode.pkl") || name.find("/code/") != std::string::npos;
}

template <typename Records>
PickleContext context_of(const Records& records) {
  bool torchscript = std::any_of(records.begin(), records.end(), [](const auto& r) { return is_torchscript_record(r.name); });
  return torchscript ? PickleContext::TorchScriptArchive : PickleContext::Plain;
}

class Scanner {
 public:
  Scanner(const GlobalPolicy& policy, ScanReport& report) : policy_(policy), report_(report) {}

  // Scans whatever `bytes` are: returns the container kind it found.
  std::string scan(Bytes bytes, const std::string& part, PickleContext context, int depth);

 private:
  void record_globals(const PickleProgram& program, const std::string& part, PickleContext context);
  void scan_pickles(Bytes bytes, const std::string& part, PickleContext context);
  void scan_zip(Bytes bytes, const std::string& part, int depth);
  void scan_zip_entry(const ZipArchive& zip, const ZipEntry& entry, const std::string& part, PickleContext context,
                      int depth);
  void scan_npy(Bytes bytes, const std::string& part);
  void scan_local_records(Bytes bytes, const std::string& part, int depth);
  bool names_danger(const PickleProgram& program, PickleContext context) const;
  void scan_other_archive(Bytes bytes, const std::string& part, int depth);
  void not_scanned(const std::string& part, const std::string& why) {
    report_.not_scanned.push_back(fmt::format("{}: {}", part.empty() ? "file" : part, why));
  }

  const GlobalPolicy& policy_;
  ScanReport& report_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
};

std::string Scanner::scan(Bytes bytes, const std::string& part, PickleContext context, int depth) {
  if (depth > kMaxNesting) {
    not_scanned(part, fmt::format("nested more than {} archives deep", kMaxNesting));
    return "archive";
  }
  if (looks_like_zip(bytes)) {
    scan_zip(bytes, part, depth);
    return "zip";
  }
  if (starts_with(bytes, kNumpyMagic)) {
    scan_npy(bytes, part);
    return "npy";
  }
  if (looks_like_other_archive(bytes)) {
    scan_other_archive(bytes, part, depth);
    return "archive";
  }
  if (looks_like_pickle(bytes)) {
    size_t before = report_.pickles + report_.not_scanned.size();
    scan_pickles(bytes, part, context);
    // Bytes that only start like a pickle and break at once are not one.
    if (report_.pickles + report_.not_scanned.size() > before) return "pickle";
  }
  return "none";
}

void Scanner::record_globals(const PickleProgram& program, const std::string& part, PickleContext context) {
  for (const GlobalReference& global : program.globals) {
    if (!seen_.emplace(part, global.module, global.name).second) continue;
    Verdict verdict = policy_.classify(global.module, global.name, context);
    std::string reason;
    if (!global.resolved && global.module == "<computed>") {
      // Python only takes literal strings here; a computed name is an attack.
      verdict = Verdict::Dangerous;
      reason = "its name is computed while loading";
    } else if (!global.resolved) {
      verdict = std::max(verdict, Verdict::Unknown);
    }
    report_.globals.push_back({global.module, global.name, verdict, part, global.offset, reason});
  }
  for (const GlobalMutation& mutation : program.mutations) {
    report_.globals.push_back({mutation.module, mutation.name, Verdict::Dangerous, part, mutation.offset,
                               "the pickle overwrites its attributes (BUILD on an imported object)"});
  }
}

// GLOBAL names must be text Python could import; bytes that are not (invalid
// UTF-8, control characters) mean the data only looked like a pickle.
bool is_importable_name(std::string_view text) {
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (!(std::isalnum(byte) || byte == '_' || byte == '.')) return false;
      continue;
    }
    size_t length = utf8_sequence_length(text, i);  // Python would refuse to decode anything else
    if (length == 0) return false;
    i += length - 1;
  }
  return true;
}

bool has_proto_header(Bytes bytes) { return !bytes.empty() && static_cast<uint8_t>(bytes[0]) == 0x80; }

// Data without a PROTO header that breaks part way is most likely not a
// pickle (text starting with 'c' or '('), unless what it named is dangerous:
// Python would have imported and run that before reaching the break.
bool Scanner::names_danger(const PickleProgram& program, PickleContext context) const {
  return !program.mutations.empty() || std::any_of(program.globals.begin(), program.globals.end(), [&](const auto& g) {
    return !g.resolved || policy_.classify(g.module, g.name, context) == Verdict::Dangerous;
  });
}

// A first "pickle" that breaks having built almost nothing, or having named
// only globals Python could never import, was not a pickle.
bool never_was_a_pickle(const PickleProgram& program) {
  if (program.arena.size() < 2 && program.globals.empty()) return true;
  return !program.globals.empty() && std::none_of(program.globals.begin(), program.globals.end(), [](const auto& g) {
    return is_importable_name(g.module) && is_importable_name(g.name);
  });
}

void Scanner::scan_pickles(Bytes bytes, const std::string& part, PickleContext context) {
  uint64_t offset = 0;
  int count = 0;
  bool legacy = false;
  // A file can hold several pickles back to back (torch.save's legacy format
  // does; so do attacks that hide a second one behind a harmless first).
  while (offset < bytes.size() && looks_like_pickle(bytes.substr(offset))) {
    std::optional<std::string> error;
    PickleProgram program = read_pickle_tolerant(bytes.substr(offset), offset, error);
    if (error && count == 0 && !has_proto_header(bytes) && !names_danger(program, context)) return;
    if (error && count == 0 && !has_proto_header(bytes) && never_was_a_pickle(program)) return;
    record_globals(program, part, context);
    if (error) {
      not_scanned(part, fmt::format("the pickle breaks part way ({}); what follows was not scanned", *error));
      return;
    }
    ++report_.pickles;
    if (count == 0) {
      report_.scanned.push_back(part.empty() ? "file" : part);
      legacy = is_legacy_torch_save_magic(program);
    }
    offset += program.end_offset;
    if (++count == kLegacyTorchSavePickles && legacy) return;
  }
}

void Scanner::scan_zip(Bytes bytes, const std::string& part, int depth) {
  try {
    ZipArchive zip(bytes);
    PickleContext context = context_of(zip.entries());
    for (const ZipEntry& entry : zip.entries()) {
      if (entry.is_directory() || is_tensor_storage(entry.name)) continue;
      scan_zip_entry(zip, entry, part, context, depth);
    }
  } catch (const FormatError& error) {
    not_scanned(part.empty() ? "zip" : part,
                fmt::format("its central directory cannot be read ({}); records were found by their local headers "
                            "instead", error.what()));
    scan_local_records(bytes, part, depth);
  }
}

// Without a trustworthy central directory, every local header is a record: a
// stored one's pickle ends at its STOP, a deflated one's stream at its end.
void Scanner::scan_local_records(Bytes bytes, const std::string& part, int depth) {
  std::vector<LocalRecord> records = find_local_records(bytes);
  PickleContext context = context_of(records);
  for (const LocalRecord& record : records) {
    if (is_tensor_storage(record.name) || record.name.ends_with("/")) continue;
    std::string inner = join_part(part, record.name);
    try {
      if (record.method == 0) {
        scan(record.data_to_next, inner, context, depth + 1);
      } else if (record.method == 8) {
        scan(inflate_until_end(record.data_to_next, kMaxRecordBytes), inner, context, depth + 1);
      } else {
        not_scanned(inner, fmt::format("compression method {}", record.method));
      }
    } catch (const FormatError& error) {
      not_scanned(inner, error.what());
    }
  }
}

void Scanner::scan_zip_entry(const ZipArchive& zip, const ZipEntry& entry, const std::string& part,
                             PickleContext context, int depth) {
  std::string inner = join_part(part, entry.name);
  try {
    std::string content;
    if (entry.encrypted()) {
      // The flag can be set on data stored in the clear, to make readers skip
      // it: read what is there, and only give up when it really is ciphertext.
      Bytes stored = zip.stored_bytes(entry);
      if (entry.method != 0 || !looks_like_pickle(stored)) {
        not_scanned(inner, "encrypted");
        return;
      }
      content = std::string(stored);
    } else {
      content = zip.read(entry, kMaxRecordBytes, /*verify_crc=*/false);
      if (!crc_matches(content, entry.crc32)) {
        not_scanned(inner, "fails its CRC check (damaged or altered); scanned as it is");
      }
    }
    scan(content, inner, context, depth + 1);
  } catch (const FormatError& error) {
    not_scanned(inner, error.what());
  }
}

void Scanner::scan_npy(Bytes bytes, const std::string& part) {
  // NumPy .npy: magic, version, header length, a Python dict literal; object
  // arrays ('|O') store a pickle after the header.
  try {
    ByteReader reader(bytes);
    reader.skip(kNumpyMagic.size());
    uint8_t major = reader.u8();
    reader.u8();
    uint64_t header_length = major == 1 ? reader.u16le() : reader.u32le();
    Bytes header = reader.take(header_length, "npy header");
    if (header.find("'|O'") == Bytes::npos && header.find("\"|O\"") == Bytes::npos) return;
    scan_pickles(bytes.substr(reader.position()), join_part(part, "object array"), PickleContext::Plain);
  } catch (const FormatError& error) {
    not_scanned(part, fmt::format("damaged .npy header ({})", error.what()));
  }
}

void Scanner::scan_other_archive(Bytes bytes, const std::string& part, int depth) {
  std::string error = for_each_archive_member(bytes, kMaxRecordBytes, [&](const std::string& name, Bytes content) {
    scan(content, join_part(part, name), PickleContext::Plain, depth + 1);
  });
  if (!error.empty()) not_scanned(part.empty() ? "archive" : part, error);
}

}  // namespace

Verdict ScanReport::verdict() const {
  Verdict worst = Verdict::Safe;
  for (const ScannedGlobal& global : globals) {
    if (global.verdict == Verdict::Dangerous) return Verdict::Dangerous;
    if (global.verdict == Verdict::Unknown) worst = Verdict::Unknown;
  }
  return worst;
}

std::vector<std::string> ScanReport::names(Verdict wanted) const {
  std::vector<std::string> names;
  for (const ScannedGlobal& global : globals) {
    if (global.verdict == wanted && std::find(names.begin(), names.end(), global.qualified()) == names.end()) {
      names.push_back(global.qualified());
    }
  }
  return names;
}

ScanReport scan_bytes(Bytes bytes, const std::string& path, const GlobalPolicy& policy) {
  ScanReport report;
  report.path = path;
  report.size_bytes = bytes.size();
  Scanner scanner(policy, report);
  report.container = scanner.scan(bytes, "", PickleContext::Plain, 0);
  return report;
}

ScanReport scan_file(const std::string& path, const GlobalPolicy& policy) {
  MappedFile file(path);
  return scan_bytes(file.bytes(), path, policy);
}

}  // namespace mtool
