#pragma once
// Tensors a backported lite archive stores twice. LibTorch's backport
// (_backport_for_mobile) writes constants.pkl and bytecode.pkl with separate
// pickle writers, and each stores every tensor it references under a key of
// its own in constants/: a tensor both name (the weights of an
// optimize_for_mobile model's prepacked ops, of quantized ops) is kept twice
// and the output doubles. PyTorch's own _save_for_lite_interpreter stores it
// once and lets bytecode.pkl refer to constants.pkl's record (bytecode v5+),
// under short keys ("0.storage") where the backport uses storage addresses
// ("94849037468464.storage"), which a small model pays for in every pickle
// reference and zip header.
#include <map>
#include <set>
#include <string>

#include "archive/zip_archive.h"

namespace mtool {

struct SharedConstants {
  // Records (below the top folder) whose bytes equal a record constants.pkl refers to.
  std::set<std::string> dropped_records;
  // Every storage key in constants/ -> its new key (a dropped record's: the kept one's).
  std::map<std::string, std::string> renamed_keys;
  bool empty() const { return renamed_keys.empty(); }
  // "constants/KEY" -> "constants/NEW"; other names unchanged.
  std::string record_name(const std::string& relative) const;
};

// Nothing (leave the archive as it is) unless it is a bytecode v5+ layout:
// constants.pkl and bytecode.pkl, both pickle protocol 2, no bytecode/ folder.
SharedConstants find_shared_constants(const ZipArchive& archive);

// `pickle` with each storage key string (BINUNICODE or SHORT_BINUNICODE)
// renamed, in one pass (a new key that equals an old one is not renamed
// again). Protocol 2 pickles have no frames or offsets, so a string may
// change length.
std::string rename_storage_keys(Bytes pickle, const std::map<std::string, std::string>& renamed_keys);

}  // namespace mtool
