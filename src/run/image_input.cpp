#include "run/image_input.h"

#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <vips/vips8>

#include "io/mapped_file.h"
#include "run/measure.h"
#include "score/bilinear_resize.h"
#include "score/native_crops.h"
#include "score/netpbm_header.h"

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

// libvips keeps one error buffer for the whole process and never empties it:
// a VError's text holds every earlier photo's failure too, and, with decode
// workers, other threads'. The reason for `path` is its latest line naming
// `path`, else its latest line naming no file at all.
std::string decode_error_reason(const std::string& text, const std::string& path) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::string quoted = "\"" + path + "\"";
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (line->find(quoted) != std::string::npos) return *line;
  }
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    if (line->find('"') == std::string::npos) return *line;
  }
  return "libvips gave no reason";
}

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

// A photo as libvips is given it: by its path, or, for a netpbm photo, as
// the same photo behind a header without comments, which Debian 12's
// libvips misreads (score/netpbm_header.h).
class PhotoSource {
 public:
  explicit PhotoSource(const std::string& path) : path_(path) {
    MappedFile file(path);
    if (looks_like_netpbm(file.bytes())) rewritten_ = without_header_comments(file.bytes());
  }

  vips::VImage open(vips::VOption* options) const {
    if (rewritten_.empty()) return vips::VImage::new_from_file(path_.c_str(), options);
    return vips::VImage::new_from_source(vips::VSource::new_from_memory(rewritten_.data(), rewritten_.size()), "",
                                         options);
  }

 private:
  std::string path_;
  std::string rewritten_;
};

// EXIF orientations 5 to 8 turn the image by 90 degrees: width and height swap.
std::pair<int, int> upright_size(const vips::VImage& header, bool auto_rotate) {
  int orientation = auto_rotate ? orientation_of(header) : 1;
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

// Decoded (at 1/`shrink` scale, JPEG only), upright by its EXIF orientation
// unless `auto_rotate` is off, in 8-bit sRGB; only `area` of the upright
// photo when given (libvips then decodes no further than its last row).
Rgb8Image decode_upright(const PhotoSource& photo, const vips::VImage& header, int shrink, bool auto_rotate,
                         const Window* area = nullptr) {
  auto options = load_options(auto_rotate ? orientation_of(header) : 1);
  if (shrink > 1) options->set("shrink", shrink);
  vips::VImage image = photo.open(options);
  if (auto_rotate) image = image.autorot();
  if (area != nullptr) image = image.extract_area(area->left, area->top, area->width, area->height);
  if (image.get_typeof(VIPS_META_ICC_NAME) != 0) {
    image = image.icc_transform("srgb", vips::VImage::option()->set("embedded", true));
  }
  return to_rgb8(to_srgb_rgb(image));
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

// The crops at 100% of the photo a multi-view recipe asks for, placed by the
// detail of the first view (score/native_crops.h), from `full`, the photo decoded at 100%.
std::vector<Rgb8Image> native_crops(const Rgb8Image& full, const Rgb8Image& view, const Recipe& recipe) {
  int size = recipe.native_crop_size;
  Rgb8Image photo = at_least(full, size);
  std::vector<Rgb8Image> crops;
  for (CropBox box : native_crop_boxes(photo.width, photo.height, view, recipe.native_crops, size)) {
    crops.push_back(crop(photo, box, size));
  }
  return crops;
}

// PIL's Image.convert("L") (ITU-R 601-2 luma in 16-bit fixed point, rounded), which
// torchvision's Grayscale and MNIST-style pipelines use: [H, W, 1] uint8.
torch::Tensor luminance(const torch::Tensor& hwc) {
  torch::Tensor wide = hwc.to(torch::kInt32);
  torch::Tensor sum = wide.select(2, 0) * 19595 + wide.select(2, 1) * 38470 + wide.select(2, 2) * 7471 + 0x8000;
  return sum.div(65536, "floor").to(torch::kUInt8).unsqueeze(2);
}

// The same crops when only a reduced decode exists: the photo is decoded
// again at 100%, but only the rectangle around the crops is turned into
// sRGB and copied, and a top-to-bottom JPEG decode stops after its last row
// (on a 12 MP photo, most of the cost of the crops is that decode).
std::vector<Rgb8Image> native_crops_decoded(const PhotoSource& photo, const vips::VImage& header, int width, int height,
                                            const Rgb8Image& view, const Recipe& recipe) {
  int size = recipe.native_crop_size;
  if (std::min(width, height) < size)
    return native_crops(decode_upright(photo, header, 1, recipe.auto_rotate), view, recipe);
  std::vector<CropBox> boxes = native_crop_boxes(width, height, view, recipe.native_crops, size);
  CropBox first = boxes.front();
  CropBox last = boxes.front();
  for (CropBox box : boxes) {
    first = {std::min(first.left, box.left), std::min(first.top, box.top)};
    last = {std::max(last.left, box.left), std::max(last.top, box.top)};
  }
  Window area{first.left, first.top, last.left + size - first.left, last.top + size - first.top};
  Rgb8Image part = decode_upright(photo, header, 1, recipe.auto_rotate, &area);
  std::vector<Rgb8Image> crops;
  for (CropBox box : boxes) crops.push_back(crop(part, {box.left - first.left, box.top - first.top}, size));
  return crops;
}

torch::Tensor to_tensor(Rgb8Image& image, const Recipe& recipe) {
  torch::Tensor hwc = torch::from_blob(image.pixels.data(), {image.height, image.width, 3}, torch::kUInt8).clone();
  if (recipe.bgr) hwc = hwc.flip({2});
  if (recipe.grey) hwc = luminance(hwc);
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
  torch::Tensor mean_t = recipe.grey ? torch::tensor({mean[0]}, torch::kFloat32)
                                     : torch::tensor({mean[0], mean[1], mean[2]}, torch::kFloat32);
  torch::Tensor std_t = recipe.grey ? torch::tensor({std[0]}, torch::kFloat32)
                                    : torch::tensor({std[0], std[1], std[2]}, torch::kFloat32);
  values = values.sub(mean_t).div(std_t);  // broadcast over the last (channel) axis
  if (!recipe.nhwc) values = values.permute({2, 0, 1});
  return values.unsqueeze(0).contiguous();
}

}  // namespace

void set_image_decoder_threads(int threads) {
  init_vips();
  vips_concurrency_set(threads);
}

namespace {

// Throws vips::VError when libvips cannot decode the photo.
PreparedImage decode_and_prepare(const std::string& path, const Recipe& recipe) {
  {
    Clock::time_point start = Clock::now();
    PreparedImage prepared;
    PhotoSource photo(path);
    vips::VImage header = photo.open(load_options());
    std::tie(prepared.width, prepared.height) = upright_size(header, recipe.auto_rotate);
    auto [target_width, target_height] = resized_size(prepared.width, prepared.height, recipe);
    // Decoded at a reduced scale when the format allows and the recipe is not exact, then
    // resized exactly as PIL does (score/bilinear_resize.h).
    int shrink = recipe.exact_resize ? 1 : jpeg_shrink(header, prepared.width, prepared.height, target_width, target_height);
    Rgb8Image decoded = decode_upright(photo, header, shrink, recipe.auto_rotate);
    Rgb8Image image = bilinear_resize_window(decoded, target_width, target_height,
                                             crop_window(target_width, target_height, recipe));
    std::vector<Rgb8Image> crops;
    if (recipe.native_crops > 0) {
      // The crops need the photo in full: a second decode only when the first was reduced.
      crops = shrink == 1 ? native_crops(decoded, image, recipe)
                          : native_crops_decoded(photo, header, prepared.width, prepared.height, image, recipe);
    }
    prepared.decode_ms = ms_since(start);
    Clock::time_point preprocess_start = Clock::now();
    prepared.tensor = to_tensor(image, recipe);
    if (!crops.empty()) {
      std::vector<torch::Tensor> views = {prepared.tensor};
      for (Rgb8Image& view : crops) views.push_back(to_tensor(view, recipe));
      prepared.tensor = torch::cat(views, recipe.nhwc ? 3 : 1);  // views stacked on the channel axis
    }
    prepared.preprocess_ms = ms_since(preprocess_start);
    return prepared;
  }
}

// libvips keeps one error buffer for the whole process, shared by the decode
// workers, and stops adding to it once full: a failed photo is decoded again
// with no other decode running and the buffer emptied first, so its reason is
// its own (only failures pay for this).
std::shared_mutex& vips_error_buffer_lock() {
  static std::shared_mutex lock;
  return lock;
}

}  // namespace

PreparedImage prepare_image(const std::string& path, const Recipe& recipe) {
  init_vips();
  try {
    std::shared_lock decoding(vips_error_buffer_lock());
    return decode_and_prepare(path, recipe);
  } catch (const vips::VError&) {
  } catch (const Error& error) {  // mtool's own reading (a netpbm header), before libvips
    throw std::runtime_error(path + ": cannot decode image: " + error.what());
  }
  std::unique_lock alone(vips_error_buffer_lock());
  vips_error_clear();
  try {
    return decode_and_prepare(path, recipe);
  } catch (const vips::VError& error) {
    std::string reason = decode_error_reason(error.what(), path);
    vips_error_clear();  // so the buffer does not grow with every failed photo
    throw std::runtime_error(path + ": cannot decode image: " + reason);
  }
}

}  // namespace mtool
