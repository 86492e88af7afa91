#include "score/image_paths.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace mtool {

namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 13> kImageExtensions = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic",
                                                          ".heif", ".avif", ".gif", ".bmp", ".jxl", ".jfif"};

void add_folder(const std::string& folder, std::vector<ImageArgument>& out) {
  std::vector<std::string> found;
  std::error_code error;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error);
  if (error) {
    out.push_back({folder, "cannot list folder: " + error.message()});
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    std::error_code type_error;
    if (it->is_regular_file(type_error) && has_image_extension(it->path().string())) found.push_back(it->path().string());
  }
  std::sort(found.begin(), found.end());
  for (std::string& path : found) out.push_back({std::move(path), ""});
}

void add_argument(const std::string& argument, std::vector<ImageArgument>& out) {
  std::error_code error;
  fs::file_status status = fs::status(argument, error);
  if (fs::is_directory(status)) {
    add_folder(argument, out);
  } else if (fs::exists(status)) {
    out.push_back({argument, ""});
  } else {
    out.push_back({argument, "no such file or folder"});
  }
}

}  // namespace

bool has_image_extension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) != kImageExtensions.end();
}

std::vector<ImageArgument> expand_image_arguments(const std::vector<std::string>& arguments, std::istream& stdin_list) {
  std::vector<ImageArgument> out;
  for (const std::string& argument : arguments) {
    if (argument != "-") {
      add_argument(argument, out);
      continue;
    }
    std::string line;
    while (std::getline(stdin_list, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) add_argument(line, out);
    }
  }
  return out;
}

}  // namespace mtool
