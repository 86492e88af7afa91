#pragma once
// A file written in one go, every failure (a full disk, a vanished folder) an
// Error(Io) naming the path, never a short file reported as written.
#include <string>
#include <string_view>

namespace mtool {

void write_whole_file(const std::string& path, std::string_view bytes);

}  // namespace mtool
