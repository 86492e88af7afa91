#pragma once
// Which files in a folder `mtool score` takes as photos: by extension, as
// nothing is opened while paths are listed (batch/path_source.h walks them).
#include <string>

namespace mtool {

// True for the extensions libvips decodes and people use for photos.
bool has_image_extension(const std::string& path);

}  // namespace mtool
