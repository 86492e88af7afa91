#pragma once
// The photos a `mtool score` run covers: files as given, folders walked
// recursively for image files (by extension, sorted), and `-` replaced by
// the paths read from stdin, one per line. Nothing is opened here.
#include <istream>
#include <string>
#include <vector>

namespace mtool {

struct ImageArgument {
  std::string path;
  std::string error;  // set when the argument itself is unusable (missing path)
};

// True for the extensions libvips decodes and people use for photos.
bool has_image_extension(const std::string& path);

std::vector<ImageArgument> expand_image_arguments(const std::vector<std::string>& arguments, std::istream& stdin_list);

}  // namespace mtool
