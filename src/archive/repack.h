#pragma once
// Rewriting a PyTorch zip archive record for record, as PyTorch's own writer
// lays it out: used by backport and convert (to rename the top folder) and by
// `mtool recipe set` (to add or replace extra/mtool.json).
#include <cstdio>
#include <map>
#include <string>

#include "io/byte_reader.h"

namespace mtool {

// Records that PyTorch's own writer deflates (TorchScript source and its
// debug information); everything else is stored, as PyTorch stores it.
bool is_compressed_record(const std::string& name);

// Rewrites the zip archive `input` into `out` under the top folder
// `archive_name` (as torch.jit names it: the file's stem), compressing what
// is_compressed_record() names; an empty `archive_name` keeps the current one. `replace` maps paths below the top folder
// ("extra/mtool.json") to new contents: a record of that path is replaced in
// place, a missing one is added at the end. `share_constants` stores once a
// tensor LibTorch's backport stored twice (archive/shared_constants.h).
void repack_archive(Bytes input, const std::string& archive_name, std::FILE* out,
                    const std::map<std::string, std::string>& replace = {}, bool share_constants = false);

}  // namespace mtool
