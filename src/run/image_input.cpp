#include "run/image_input.h"

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vips/vips8>

#include "run/measure.h"
#include "score/bilinear_resize.h"

namespace mtool {

namespace {

void init_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("mtool") != 0) throw std::runtime_error("cannot initialise libvips");
    // Every photo is opened once: caching operations would only grow memory
    // over a run of thousands of photos.
    vips_cache_set_max(0);
    // libvips reports recoverable damage as GLib warnings on stderr; mtool
    // refuses truncated files instead (fail_on) and says so in one line.
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

int orientation_of(const vips::VImage& header) {
  return header.get_typeof(VIPS_META_ORIENTATION) != 0 ? header.get_int(VIPS_META_ORIENTATION) : 1;
}

// A truncated file is an error, not a grey band. Pixels are read once, top to
// bottom, unless the EXIF orientation turns or flips the photo upside down,
// which needs its rows out of order.
vips::VOption* load_options(int orientation = 1) {
  bool in_order = orientation == 1 || orientation == 2;
  return vips::VImage::option()
      ->set("access", in_order ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM)
      ->set("fail_on", VIPS_FAIL_ON_TRUNCATED);
}

// EXIF orientations 5 to 8 turn the image by 90 degrees: width and height swap.
std::pair<int, int> upright_size(const vips::VImage& header) {
  int orientation = orientation_of(header);
  bool turned = orientation >= 5 && orientation <= 8;
  return turned ? std::pair{header.height(), header.width()} : std::pair{header.width(), header.height()};
}

// torchvision's Resize(size): the shorter side becomes `size`, the longer one
// keeps the aspect ratio, truncated to an integer. An exact size wins.
std::pair<int, int> resized_size(int width, int height, const Recipe& recipe) {
  if (recipe.resize_shorter > 0) {
    int shorter = recipe.resize_shorter;
    if (width <= height) return {shorter, static_cast<int>(static_cast<int64_t>(shorter) * height / width)};
    return {static_cast<int>(static_cast<int64_t>(shorter) * width / height), shorter};
  }
  if (recipe.resize_width > 0) return {recipe.resize_width, recipe.resize_height};
  return {width, height};
}

// Grey, CMYK, Lab, 16-bit: all become 8-bit sRGB; alpha is flattened on
// white (what a viewer shows for a transparent PNG on a page).
vips::VImage to_srgb_rgb(vips::VImage image) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  if (image.has_alpha()) image = image.flatten(vips::VImage::option()->set("background", std::vector<double>{255, 255, 255}));
  if (image.bands() > 3) image = image.extract_band(0, vips::VImage::option()->set("n", 3));
  if (image.bands() == 1) image = image.bandjoin({image, image});
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  return image;
}

Rgb8Image to_rgb8(const vips::VImage& image) {
  Rgb8Image out{image.width(), image.height(), {}};
  size_t size = 0;
  void* pixels = image.write_to_memory(&size);
  const auto* bytes = static_cast<const uint8_t*>(pixels);
  out.pixels.assign(bytes, bytes + size);
  g_free(pixels);
  return out;
}

// JPEGs can be decoded at 1/2, 1/4 or 1/8 scale inside the DCT, for a
// fraction of the work. The largest such shrink that still leaves
// kShrinkMargin times the target size, so the final resize (which
// antialiases) does most of the filtering as PIL would. (Measured on 15
// photos: a margin of 1 left input differences up to 0.98, 2 up to 0.32.)
constexpr int kShrinkMargin = 2;

int jpeg_shrink(const vips::VImage& header, int width, int height, int target_width, int target_height) {
  if (header.get_typeof("vips-loader") == 0 || std::string(header.get_string("vips-loader")) != "jpegload") return 1;
  int shrink = 1;
  while (shrink < 8 && width / (shrink * 2) >= kShrinkMargin * target_width && height / (shrink * 2) >= kShrinkMargin * target_height) {
    shrink *= 2;
  }
  return shrink;
}

// Decoded (at a reduced scale when `fast` and the format allows), upright,
// in sRGB, then resized exactly as PIL does (score/bilinear_resize.h).
Rgb8Image decode_and_resize(const std::string& path, const vips::VImage& header, int width, int height,
                            int target_width, int target_height, Window window, bool fast) {
  auto options = load_options(orientation_of(header));
  if (fast) {
    int shrink = jpeg_shrink(header, width, height, target_width, target_height);
    if (shrink > 1) options->set("shrink", shrink);
  }
  vips::VImage image = vips::VImage::new_from_file(path.c_str(), options);
  image = image.autorot();
  if (image.get_typeof(VIPS_META_ICC_NAME) != 0) {
    image = image.icc_transform("srgb", vips::VImage::option()->set("embedded", true));
  }
  return bilinear_resize_window(to_rgb8(to_srgb_rgb(image)), target_width, target_height, window);
}

// torchvision's CenterCrop: offsets round half to even... it uses
// int(round((size - crop) / 2.0)), Python's round, i.e. banker's rounding.
int crop_offset(int size, int crop) { return static_cast<int>(std::nearbyint((size - crop) / 2.0)); }

// The part of the resized photo the recipe keeps: its center crop, or all of it.
Window crop_window(int width, int height, const Recipe& recipe) {
  if (recipe.crop_width <= 0) return {0, 0, width, height};
  int crop_width = std::min(recipe.crop_width, width);
  int crop_height = std::min(recipe.crop_height, height);
  return {crop_offset(width, crop_width), crop_offset(height, crop_height), crop_width, crop_height};
}

torch::Tensor to_tensor(Rgb8Image& image, const Recipe& recipe) {
  torch::Tensor hwc = torch::from_blob(image.pixels.data(), {image.height, image.width, 3}, torch::kUInt8).clone();
  if (recipe.bgr) hwc = hwc.flip({2});
  if (recipe.dtype == "uint8") {
    torch::Tensor out = recipe.nhwc ? hwc : hwc.permute({2, 0, 1});
    return out.unsqueeze(0).contiguous();
  }
  // A division, as torchvision's ToTensor does it, so values match to the last bit.
  torch::Tensor values = hwc.to(torch::kFloat32).div(255.0 / recipe.range_max);
  std::array<double, 3> mean = recipe.mean;
  std::array<double, 3> std = recipe.std;
  if (recipe.bgr) {
    std::swap(mean[0], mean[2]);
    std::swap(std[0], std[2]);
  }
  torch::Tensor mean_t = torch::tensor({mean[0], mean[1], mean[2]}, torch::kFloat32);
  torch::Tensor std_t = torch::tensor({std[0], std[1], std[2]}, torch::kFloat32);
  values = values.sub(mean_t).div(std_t);  // broadcast over the last (channel) axis
  if (!recipe.nhwc) values = values.permute({2, 0, 1});
  return values.unsqueeze(0).contiguous();
}

}  // namespace

void set_image_decoder_threads(int threads) {
  init_vips();
  vips_concurrency_set(threads);
}

PreparedImage prepare_image(const std::string& path, const Recipe& recipe) {
  init_vips();
  try {
    Clock::time_point start = Clock::now();
    PreparedImage prepared;
    vips::VImage header = vips::VImage::new_from_file(path.c_str(), load_options());
    std::tie(prepared.width, prepared.height) = upright_size(header);
    auto [target_width, target_height] = resized_size(prepared.width, prepared.height, recipe);
    Rgb8Image image = decode_and_resize(path, header, prepared.width, prepared.height, target_width, target_height,
                                        crop_window(target_width, target_height, recipe), !recipe.exact_resize);
    prepared.decode_ms = ms_since(start);
    Clock::time_point preprocess_start = Clock::now();
    prepared.tensor = to_tensor(image, recipe);
    prepared.preprocess_ms = ms_since(preprocess_start);
    return prepared;
  } catch (const vips::VError& error) {
    throw std::runtime_error(path + ": cannot decode image: " + first_line(error.what()));
  }
}

}  // namespace mtool
