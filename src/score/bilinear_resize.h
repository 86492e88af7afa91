#pragma once
// The resize torchvision does on PIL images: Pillow's BILINEAR resampling, a
// triangle filter widened by the scale factor (so it antialiases when
// shrinking), computed in 22-bit fixed point, horizontal pass then vertical,
// each rounded to 8 bits. Reimplemented from Pillow's documented algorithm
// so `mtool score --exact-resize` feeds a model the same pixels as
// torchvision.transforms.Resize on a PIL image does.
#include <cstdint>
#include <vector>

namespace mtool {

struct Rgb8Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3, row-major, interleaved RGB
};

Rgb8Image bilinear_resize(const Rgb8Image& image, int width, int height);

// Only the window (left, top, window_width, window_height) of the resized
// image, pixel for pixel what bilinear_resize then a crop would give, for
// the work of the window alone (a center crop usually keeps half the pixels).
struct Window {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};
Rgb8Image bilinear_resize_window(const Rgb8Image& image, int width, int height, Window window);

}  // namespace mtool
