#include "run/image_input.h"

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vips/vips8>

namespace mtool {

namespace {

void init_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("mtool") != 0) throw std::runtime_error("cannot initialise libvips");
  });
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// EXIF orientations 5 to 8 turn the image by 90 degrees: width and height swap.
std::pair<int, int> upright_size(const vips::VImage& header) {
  int orientation = header.get_typeof(VIPS_META_ORIENTATION) != 0 ? header.get_int(VIPS_META_ORIENTATION) : 1;
  bool turned = orientation >= 5 && orientation <= 8;
  return turned ? std::pair{header.height(), header.width()} : std::pair{header.width(), header.height()};
}

// torchvision's Resize(size): the shorter side becomes `size`, the longer one
// keeps the aspect ratio, truncated to an integer.
std::pair<int, int> resized_size(int width, int height, int shorter) {
  if (shorter <= 0) return {width, height};
  if (width <= height) return {shorter, static_cast<int>(static_cast<int64_t>(shorter) * height / width)};
  return {static_cast<int>(static_cast<int64_t>(shorter) * width / height), shorter};
}

vips::VImage to_srgb_rgb(vips::VImage image) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  if (image.has_alpha()) image = image.flatten(vips::VImage::option()->set("background", std::vector<double>{255, 255, 255}));
  if (image.bands() > 3) image = image.extract_band(0, vips::VImage::option()->set("n", 3));
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  return image;
}

}  // namespace

torch::Tensor image_to_tensor(const std::string& path, const ImageRecipe& recipe) {
  init_vips();
  try {
    vips::VImage header = vips::VImage::new_from_file(path.c_str(), vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    auto [width, height] = upright_size(header);
    auto [target_width, target_height] = resized_size(width, height, recipe.resize_shorter);
    auto options = vips::VImage::option()->set("height", target_height)->set("size", VIPS_SIZE_FORCE);
    if (header.get_typeof(VIPS_META_ICC_NAME) != 0) options->set("export_profile", "srgb");
    // thumbnail decodes at reduced size where the format allows (JPEG's DCT
    // scaling), applies the EXIF orientation, and resizes with antialiasing.
    vips::VImage image = to_srgb_rgb(vips::VImage::thumbnail(path.c_str(), target_width, options));
    if (recipe.crop > 0) {
      int crop = std::min({recipe.crop, image.width(), image.height()});
      int left = static_cast<int>(std::lround((image.width() - crop) / 2.0));
      int top = static_cast<int>(std::lround((image.height() - crop) / 2.0));
      image = image.crop(left, top, crop, crop);
    }
    size_t size = 0;
    void* pixels = image.write_to_memory(&size);
    torch::Tensor hwc = torch::from_blob(pixels, {image.height(), image.width(), 3}, torch::kUInt8).clone();
    g_free(pixels);
    torch::Tensor chw = hwc.permute({2, 0, 1}).to(torch::kFloat32).mul(recipe.scale);
    torch::Tensor mean = torch::tensor({recipe.mean[0], recipe.mean[1], recipe.mean[2]}, torch::kFloat32).view({3, 1, 1});
    torch::Tensor std = torch::tensor({recipe.std[0], recipe.std[1], recipe.std[2]}, torch::kFloat32).view({3, 1, 1});
    return chw.sub(mean).div(std).unsqueeze(0).contiguous();
  } catch (const vips::VError& error) {
    throw std::runtime_error(path + ": cannot decode image: " + first_line(error.what()));
  }
}

}  // namespace mtool
