#pragma once
// The native-resolution views of a multi-view recipe ("native_crops"): crops
// at 100% of the decoded photo, where a photo's pixel-level defects (sensor
// noise, JPEG blocks, slight defocus) are still visible, unlike in a
// downscale. They are centred on the most detailed cells of a grid (6 along
// the longer side, 4 along the shorter) over the recipe's global view, so
// they fall on the subject rather than on a clear sky or a blurred
// background. scripts/iqa/views.py does the same for training, bit for bit.
#include <vector>

#include "score/bilinear_resize.h"

namespace mtool {

struct CropBox {
  int left = 0;
  int top = 0;
};

// `count` boxes of `size` x `size` inside a width x height photo (each side
// at least `size`), most detailed cell first; detail is measured on `view`.
std::vector<CropBox> native_crop_boxes(int width, int height, const Rgb8Image& view, int count, int size);

// The photo itself, or enlarged (bilinear) so its shorter side is `size`.
Rgb8Image at_least(const Rgb8Image& photo, int size);

// The `size` x `size` crop of `photo` at `box`.
Rgb8Image crop(const Rgb8Image& photo, CropBox box, int size);

}  // namespace mtool
