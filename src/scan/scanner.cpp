#include "scan/scanner.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <set>

#include "archive/inflate.h"
#include "archive/other_archives.h"
#include "archive/top_folder.h"
#include "archive/zip_archive.h"
#include "archive/zip_damage.h"
#include "io/mapped_file.h"
#include "io/utf8.h"
#include "pickle/pickle_reader.h"
#include "scan/joblib_arrays.h"
#include "torch_pickle/legacy_layout.h"
#include "torch_pickle/legacy_storages.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

// Nested archives deeper than this are reported, not followed.
constexpr int kMaxNesting = 6;
constexpr uint64_t kMaxRecordBytes = 2ull << 30;
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

// torch.load hands a zip to torch.jit.load when it holds <archive>/constants.pkl
// (torch 1.13 serialization.py _is_torchscript_zip: 'constants.pkl' in
// get_all_records(), names relative to the first record's folder). Only then
// are TorchScript's own names resolved without Python.
std::string torchscript_prefix(const std::vector<ZipEntry>& entries) {
  if (entries.empty()) return "";
  std::string prefix = first_record_folder(entries) + "/";
  bool torchscript = std::any_of(entries.begin(), entries.end(), [&](const ZipEntry& e) { return e.name == prefix + "constants.pkl"; });
  return torchscript ? prefix : "";
}

// In a TorchScript archive torch::jit::load's own unpickler reads every record
// (data.pkl, constants.pkl, bytecode.pkl, code/*.debug_pkl, traced_inputs.pkl)
// but extra/.
bool read_by_torchscript(const std::string& prefix, std::string_view name) {
  if (prefix.empty() || !name.starts_with(prefix)) return false;
  return !name.substr(prefix.size()).starts_with("extra/");
}

// The extra/ folder of a TorchScript or lite archive (<folder>/constants.pkl or
// <folder>/bytecode.pkl, <folder> the first record's, as LibTorch names it),
// or "" when the zip is neither. torch.jit.load and _load_for_lite_interpreter
// copy the extra files the caller asks for into a dict as raw bytes (torch 1.13
// import.cpp ScriptModuleDeserializer::deserialize, mobile/import.cpp), and
// torch.load hands such a zip to torch.jit.load: what they hold is the
// caller's to read, so they are scanned as the caller would meet them
// (scan_extra_file), not as records TorchScript reads.
std::string extra_folder(const std::vector<ZipEntry>& entries) {
  if (entries.empty()) return "";
  std::string prefix = first_record_folder(entries) + "/";
  bool torch_archive = std::any_of(entries.begin(), entries.end(), [&](const ZipEntry& e) {
    return e.name == prefix + "constants.pkl" || e.name == prefix + "bytecode.pkl";
  });
  return torch_archive ? prefix + "extra/" : "";
}

// Two loaders read extra/ records themselves, and those are scanned as any record:
// numpy.load opens any zip as an npz and unpickles the object arrays of its
// .npy members by name (checked by content in scan_extra_file), and
// torch.utils.model_dump pickle.loads "<name>.py.debug_pkl" for every .py
// record in the zip, extra/ ones included (torch 1.13 model_dump
// get_model_info). Both the central name (what torch and zipfile look up)
// and the local one must be under extra/, as for tensor storages.
bool is_unread_extra_file(const ZipArchive& zip, const ZipEntry& entry, const std::string& extra) {
  if (extra.empty() || entry.name.ends_with(".debug_pkl")) return false;
  try {
    return entry.name.starts_with(extra) && zip.local_name(entry).starts_with(extra);
  } catch (const FormatError&) {
    return false;  // scan_zip_entry reports it
  }
}

// Bytes [begin, end) of the file that one listed zip record occupies.
struct Span {
  uint64_t begin = 0, end = 0;
  bool operator<(const Span& other) const { return begin < other.begin; }
};

// The bytes a listed record occupies, local header to the end of its data.
Span span_of(const ZipArchive& zip, const ZipEntry& entry, Bytes file) {
  try {
    Bytes data = zip.stored_bytes(entry);
    return {entry.local_header_offset, static_cast<uint64_t>(data.data() - file.data()) + data.size()};
  } catch (const FormatError&) {
    return {entry.local_header_offset, entry.local_header_offset};  // scan_zip_entry reports it
  }
}

class Scanner {
 public:
  Scanner(const GlobalPolicy& policy, ScanReport& report, PickleLimits limits)
      : policy_(policy), report_(report), limits_(limits) {}

  // Scans whatever `bytes` are: returns the container kind it found.
  std::string scan(Bytes bytes, const std::string& part, PickleContext context, int depth);
  std::string scan_container(Bytes bytes, const std::string& part, int depth);

 private:
  void record_globals(const PickleProgram& program, const std::string& part, PickleContext context);
  bool scan_pickles(Bytes bytes, const std::string& part, PickleContext context);
  bool reached_globals(const PickleProgram& program) const;
  void scan_compressed(Bytes bytes, const std::string& part, int depth);
  void scan_zip(Bytes bytes, const std::string& part, int depth);
  void scan_zip_entry(const ZipArchive& zip, const ZipEntry& entry, const std::string& part, PickleContext context,
                      int depth);
  bool only_tensor_data(const ZipArchive& zip, const ZipEntry& entry) const;
  void scan_extra_file(const ZipArchive& zip, const ZipEntry& entry, const std::string& part, int depth);
  void scan_npy(Bytes bytes, const std::string& part);
  void scan_local_records(Bytes bytes, const std::string& part, int depth);
  void scan_unlisted_records(Bytes bytes, const std::vector<Span>& listed, const std::string& part, int depth);
  void scan_local_records_quietly(Bytes bytes, const std::string& part, int depth);
  void scan_other_archive(Bytes bytes, const std::string& part, int depth);
  void not_scanned(const std::string& part, const std::string& why) {
    report_.not_scanned.push_back(fmt::format("{}: {}", part.empty() ? "file" : part, why));
  }

  const GlobalPolicy& policy_;
  ScanReport& report_;
  PickleLimits limits_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
};

std::string Scanner::scan(Bytes bytes, const std::string& part, PickleContext context, int depth) {
  if (depth > kMaxNesting) {
    not_scanned(part, fmt::format("nested more than {} archives deep", kMaxNesting));
    return "archive";
  }
  std::string container = scan_container(bytes, part, depth);
  // pickle.load reads any file from byte 0, whatever else it also is (a tar
  // whose first member name is a pickle). Not a zip or an .npy: every loader
  // opens those as such, and pickle.load stops at once on their first byte
  // (PERSID with no persistent_load, STACK_GLOBAL on an empty stack).
  if (looks_like_zip(bytes) || starts_with(bytes, kNumpyMagic)) return container;
  if (scan_pickles(bytes, part, context) && container == "none") container = "pickle";
  return container;
}

std::string Scanner::scan_container(Bytes bytes, const std::string& part, int depth) {
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
  if (looks_like_compressed_stream(bytes)) {
    scan_compressed(bytes, part, depth);
    return "compressed";
  }
  // A zip after other bytes is read by zip readers that find its end record
  // (within the last 64 KiB), as Python's zipfile does.
  if (bytes.size() >= 22 && find_last(bytes, "PK\x05\x06", bytes.size() > 65557 ? bytes.size() - 65557 : 0,
                                      bytes.size() - 22) != Bytes::npos) {
    size_t before = report_.scanned.size();
    scan_local_records_quietly(bytes, part, depth);
    if (report_.scanned.size() > before) return "zip";
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

// PROTO 2 to 5, as pickle.dump writes it: a stream that starts so and breaks
// is a damaged pickle, worth a note even when it named nothing. (PROTO 0 and 1
// are never written; "\x80\x00" starts a safetensors file with a 128-byte header.)
bool has_proto_header(Bytes bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x80 && static_cast<uint8_t>(bytes[1]) >= 2 &&
         static_cast<uint8_t>(bytes[1]) <= 5;
}

// Code runs while unpickling only through a global: a stream that breaks
// before naming one (importably) could not have run anything, and is taken
// for data that merely starts with an opcode byte.
bool Scanner::reached_globals(const PickleProgram& program) const {
  return !program.mutations.empty() || std::any_of(program.globals.begin(), program.globals.end(), [](const auto& g) {
    return !g.resolved || (is_importable_name(g.module) && is_importable_name(g.name));
  });
}

// Reads pickles back to back from byte 0, as pickle.load does for the first
// and torch.load's legacy format for five. Returns whether there was one.
bool Scanner::scan_pickles(Bytes bytes, const std::string& part, PickleContext context) {
  uint64_t offset = 0;
  int count = 0;
  bool legacy = false;
  LegacyStorages storages;
  while (offset < bytes.size() && looks_like_pickle(bytes.substr(offset))) {
    Bytes rest = bytes.substr(offset);
    std::optional<std::string> error;
    PickleProgram program = read_pickle_tolerant(rest, offset, error, limits_);
    if (error && !reached_globals(program) && !has_proto_header(rest)) break;
    if (count == 0) report_.scanned.push_back(part.empty() ? "file" : part);
    record_globals(program, part, context);
    if (error) {
      // What it named before the break was imported and called already.
      not_scanned(part, fmt::format("the pickle breaks part way ({}); what follows was not scanned", *error));
      return true;
    }
    ++report_.pickles;
    if (count == 0) legacy = is_legacy_torch_save_magic(program);
    if (legacy && count == kLegacyObjectPickle) storages.read_types(program);
    if (legacy && count == kLegacyStorageKeysPickle) storages.read_keys(program);
    offset += program.end_offset;
    // Legacy torch.save: its raw storages are skipped; anything after them is
    // not read by torch.load, but is a pickle all the same if it parses as one.
    if (++count == kLegacyPickleCount && legacy) {
      offset = storages.end(bytes, offset);
      legacy = false;
    }
  }
  return count > 0;
}

void Scanner::scan_zip(Bytes bytes, const std::string& part, int depth) {
  try {
    ZipArchive zip(bytes);
    std::string torchscript = torchscript_prefix(zip.entries());
    std::string extra = extra_folder(zip.entries());
    std::vector<Span> listed;
    for (const ZipEntry& entry : zip.entries()) {
      listed.push_back(span_of(zip, entry, bytes));
      if (entry.is_directory() || only_tensor_data(zip, entry)) continue;
      if (is_unread_extra_file(zip, entry, extra)) {
        scan_extra_file(zip, entry, part, depth);
        continue;
      }
      PickleContext context = read_by_torchscript(torchscript, entry.name) ? PickleContext::TorchScriptArchive
                                                                          : PickleContext::Plain;
      scan_zip_entry(zip, entry, part, context, depth);
    }
    std::sort(listed.begin(), listed.end());
    scan_unlisted_records(bytes, listed, part, depth);
  } catch (const FormatError& error) {
    not_scanned(part.empty() ? "zip" : part,
                fmt::format("its central directory cannot be read ({}); records were found by their local headers "
                            "instead", error.what()));
    scan_local_records(bytes, part, depth);
  }
}

// A tensor storage is raw numbers only when both its central name (torch
// reads records by it) and its local name say so, and it is not an .npy that
// numpy.load would open from an npz whatever its name.
bool Scanner::only_tensor_data(const ZipArchive& zip, const ZipEntry& entry) const {
  try {
    if (!is_tensor_storage(entry.name) || !is_tensor_storage(zip.local_name(entry))) return false;
    if (entry.method == 0) return !starts_with(zip.stored_bytes(entry), kNumpyMagic);
  } catch (const FormatError&) {
    return false;  // scan_zip_entry reports it
  }
  return false;
}

// Without a trustworthy central directory, every local header is a record: a
// stored one's pickle ends at its STOP, a deflated one's stream at its end.
void Scanner::scan_local_records(Bytes bytes, const std::string& part, int depth) {
  std::vector<LocalRecord> records = find_local_records(bytes);
  // Without a central directory torch.load reads nothing as TorchScript.
  PickleContext context = PickleContext::Plain;
  for (const LocalRecord& record : records) {
    if (is_tensor_storage(record.name) || record.name.ends_with("/")) continue;
    std::string inner = join_part(part, record.name);
    try {
      if (record.method == 0) {
        scan(record.data_to_next, inner, context, depth + 1);
      } else if (record.method == 8) {
        scan(inflate_stream(record.data_to_next, kMaxRecordBytes), inner, context, depth + 1);
      } else {
        not_scanned(inner, fmt::format("compression method {}", record.method));
      }
    } catch (const FormatError& error) {
      not_scanned(inner, error.what());
    }
  }
}

// Records the central directory does not list (a fake end record in the
// comment, data prepended to the zip, a zip appended to another file): zip
// readers that search differently, or repair tools, still find them. They can
// only lie in bytes no listed record covers. Only what they hold counts; a
// fragment that does not read is no finding.
void Scanner::scan_unlisted_records(Bytes bytes, const std::vector<Span>& listed, const std::string& part,
                                    int depth) {
  uint64_t at = 0;
  for (size_t i = 0; i <= listed.size(); ++i) {
    uint64_t gap_end = i < listed.size() ? listed[i].begin : bytes.size();
    if (gap_end > at) scan_local_records_quietly(bytes.substr(at, gap_end - at), part, depth);
    if (i < listed.size()) at = std::max(at, listed[i].end);
  }
}

void Scanner::scan_local_records_quietly(Bytes bytes, const std::string& part, int depth) {
  if (bytes.find("PK\x03\x04") == Bytes::npos) return;
  for (const LocalRecord& record : find_local_records(bytes)) {
    if (record.name.ends_with("/") || is_tensor_storage(record.name)) continue;
    std::string inner = join_part(part, record.name);
    try {
      if (record.method == 0) {
        scan(record.data_to_next, inner, PickleContext::Plain, depth + 1);
      } else if (record.method == 8) {
        scan(inflate_stream(record.data_to_next, kMaxRecordBytes), inner, PickleContext::Plain, depth + 1);
      }
    } catch (const FormatError&) {
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

// An extra/ file: torch hands it to the caller as bytes, and the caller may well unpickle it (that is
// what _extra_files often carry), so a pickle there is scanned as a plain one: no TorchScript allowance.
// Only text that merely starts like a protocol-0 pickle ("cat\ndog\n" in a labels.txt reads as GLOBAL
// at.dog, then breaks) is left alone: bytes without a PROTO header whose parse breaks and names no global
// known to be dangerous. A dangerous global counts however the bytes start and end: it runs before the
// break.
void Scanner::scan_extra_file(const ZipArchive& zip, const ZipEntry& entry, const std::string& part, int depth) {
  std::string inner = join_part(part, entry.name);
  try {
    std::string content = zip.read(entry, kMaxRecordBytes, /*verify_crc=*/false);
    if (starts_with(content, kNumpyMagic)) {
      scan_npy(content, inner);
      return;
    }
    if (!has_proto_header(content) && looks_like_pickle(content)) {
      std::optional<std::string> error;
      PickleProgram program = read_pickle_tolerant(content, 0, error, limits_);
      bool dangerous =
          !program.mutations.empty() ||
          std::any_of(program.globals.begin(), program.globals.end(), [&](const GlobalReference& g) {
            return !g.resolved || policy_.classify(g.module, g.name, PickleContext::Plain) == Verdict::Dangerous;
          });
      if (error && !dangerous) return;  // text
    }
    scan(content, inner, PickleContext::Plain, depth + 1);
  } catch (const FormatError& error) {
    not_scanned(inner, error.what());
  }
}

// numpy.load unpickles the data when the dtype has an object field: 'O',
// '|O', 'object', a structured dtype with one. The header is a Python literal
// that numpy evaluates, so escapes ('\x4f') can spell them too. Any header
// that could name an object type is followed; the pickle scan finds nothing
// in plain numbers.
bool may_hold_objects(Bytes header) {
  return header.find('O') != Bytes::npos || header.find("object") != Bytes::npos || header.find('\\') != Bytes::npos;
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
    if (!may_hold_objects(header)) return;
    scan_pickles(bytes.substr(reader.position()), join_part(part, "object array"), PickleContext::Plain);
  } catch (const FormatError& error) {
    not_scanned(part, fmt::format("damaged .npy header ({})", error.what()));
  }
}

// joblib.load's compressors (zlib, gzip, bz2, xz, raw LZMA) wrap one pickle stream.
void Scanner::scan_compressed(Bytes bytes, const std::string& part, int depth) {
  std::string error;
  std::optional<std::string> content = decompress_stream(bytes, kMaxRecordBytes, error);
  if (!content) {
    not_scanned(part.empty() ? "file" : part, fmt::format("compressed data cannot be read ({})", error));
    return;
  }
  scan(*content, join_part(part, "decompressed"), PickleContext::Plain, depth + 1);
}

void Scanner::scan_other_archive(Bytes bytes, const std::string& part, int depth) {
  std::string error = for_each_archive_member(bytes, kMaxRecordBytes, [&](const std::string& name, Bytes content) {
    scan(content, join_part(part, name), PickleContext::Plain, depth + 1);
  });
  if (!error.empty()) not_scanned(part.empty() ? "archive" : part, error);
}

}  // namespace

Verdict ScanReport::verdict() const {
  // What was not read could hold anything: never safe.
  Verdict worst = complete() ? Verdict::Safe : Verdict::Unknown;
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

ScanReport scan_bytes(Bytes bytes, const std::string& path, const GlobalPolicy& policy, uint32_t max_depth) {
  ScanReport report;
  report.path = path;
  report.size_bytes = bytes.size();
  PickleLimits limits;
  limits.max_depth = max_depth;
  limits.inline_data_after_build = joblib_inline_array_bytes;
  Scanner scanner(policy, report, limits);
  report.container = scanner.scan(bytes, "", PickleContext::Plain, 0);
  return report;
}

ScanReport scan_file(const std::string& path, const GlobalPolicy& policy) {
  MappedFile file(path);
  return scan_bytes(file.bytes(), path, policy);
}

}  // namespace mtool
