#include "score/image_paths.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace mtool {

namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 17> kImageExtensions = {".jpg",  ".jpeg", ".png",  ".webp", ".tif", ".tiff",
                                                          ".heic", ".heif", ".avif", ".gif",  ".bmp", ".jxl",
                                                          ".jfif", ".ppm",  ".pgm",  ".pbm",  ".pnm"};

}  // namespace

bool has_image_extension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) != kImageExtensions.end();
}

}  // namespace mtool
