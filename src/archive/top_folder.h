#pragma once
// PyTorch archives keep their records under one top folder ("archive/",
// "model/", the file's stem...). Its rules, in one place: LibTorch's reader
// (caffe2 PyTorchStreamReader) takes the first record's folder as the
// archive's name; inspect asks more, that every record share it; a record's
// name below the folder is what follows the first '/'.
#include <string>
#include <string_view>
#include <vector>

#include "archive/zip_archive.h"

namespace mtool {

// "archive/data.pkl" -> "data.pkl"; a name without '/' is returned whole.
std::string_view below_top_folder(std::string_view name);

// The first record's folder, as LibTorch reads it: "archive" for
// "archive/data.pkl"; the whole name when it has no '/', "" without records.
std::string first_record_folder(const std::vector<ZipEntry>& entries);

// The folder every record sits in, or "" when they do not all share one
// (or a record has none).
std::string common_top_folder(const std::vector<ZipEntry>& entries);

}  // namespace mtool
