#include "score/native_crops.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>

namespace mtool {

namespace {

constexpr int kGridLong = 6;
constexpr int kGridShort = 4;

// Luminance x 1000 in integers (Rec. 601 weights), so the ranking of cells
// does not depend on floating-point order.
int64_t luminance(const Rgb8Image& image, int x, int y) {
  const uint8_t* p = &image.pixels[(static_cast<size_t>(y) * image.width + x) * 3];
  return 299 * p[0] + 587 * p[1] + 114 * p[2];
}

// Sum of absolute luminance steps to the right and down, inside the cell.
int64_t cell_detail(const Rgb8Image& view, int x0, int x1, int y0, int y1) {
  int64_t sum = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      int64_t here = luminance(view, x, y);
      if (x + 1 < x1) sum += std::llabs(luminance(view, x + 1, y) - here);
      if (y + 1 < y1) sum += std::llabs(luminance(view, x, y + 1) - here);
    }
  }
  return sum;
}

// The top or left edge of a crop centred in `cell` of `cells`, inside the photo.
int crop_offset(int size, int cells, int cell, int crop) {
  int centre = static_cast<int>((2 * static_cast<int64_t>(cell) + 1) * size / (2 * cells));
  return std::clamp(centre - crop / 2, 0, size - crop);
}

}  // namespace

std::vector<CropBox> native_crop_boxes(int width, int height, const Rgb8Image& view, int count, int size) {
  int columns = width >= height ? kGridLong : kGridShort;
  int rows = width >= height ? kGridShort : kGridLong;
  std::vector<int64_t> details;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      details.push_back(cell_detail(view, c * view.width / columns, (c + 1) * view.width / columns,
                                    r * view.height / rows, (r + 1) * view.height / rows));
    }
  }
  std::vector<int> order(details.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return details[a] > details[b]; });
  std::vector<CropBox> boxes;
  for (int i = 0; i < count; ++i) {
    int cell = order[static_cast<size_t>(i) % order.size()];
    boxes.push_back({crop_offset(width, columns, cell % columns, size), crop_offset(height, rows, cell / columns, size)});
  }
  return boxes;
}

Rgb8Image at_least(const Rgb8Image& photo, int size) {
  int shorter = std::min(photo.width, photo.height);
  if (shorter >= size) return photo;
  auto enlarged = [&](int side) { return std::max(size, static_cast<int>((static_cast<int64_t>(side) * size + shorter - 1) / shorter)); };
  return bilinear_resize(photo, enlarged(photo.width), enlarged(photo.height));
}

Rgb8Image crop(const Rgb8Image& photo, CropBox box, int size) {
  Rgb8Image out{size, size, std::vector<uint8_t>(static_cast<size_t>(size) * size * 3)};
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = &photo.pixels[(static_cast<size_t>(box.top + y) * photo.width + box.left) * 3];
    std::copy(row, row + static_cast<size_t>(size) * 3, &out.pixels[static_cast<size_t>(y) * size * 3]);
  }
  return out;
}

}  // namespace mtool
