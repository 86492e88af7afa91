#include "score/bilinear_resize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mtool {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Taps {
  int first = 0;  // first source pixel
  int count = 0;
  std::vector<int32_t> weights;  // fixed point, kPrecisionBits
};

double triangle(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

// For each output position, the source pixels it blends and their weights.
std::vector<Taps> taps_for(int in_size, int out_size) {
  double scale = static_cast<double>(in_size) / out_size;
  double filter_scale = std::max(scale, 1.0);
  double support = 1.0 * filter_scale;
  std::vector<Taps> all(static_cast<size_t>(out_size));
  for (int out = 0; out < out_size; ++out) {
    double center = (out + 0.5) * scale;
    int first = std::max(static_cast<int>(center - support + 0.5), 0);
    int last = std::min(static_cast<int>(center + support + 0.5), in_size);
    std::vector<double> weights;
    double total = 0;
    for (int x = first; x < last; ++x) {
      double weight = triangle((x - center + 0.5) / filter_scale);
      weights.push_back(weight);
      total += weight;
    }
    Taps& taps = all[static_cast<size_t>(out)];
    taps.first = first;
    taps.count = last - first;
    for (double weight : weights) {
      double normalised = total != 0.0 ? weight / total : weight;
      double fixed = normalised * (1 << kPrecisionBits);
      taps.weights.push_back(static_cast<int32_t>(normalised < 0 ? fixed - 0.5 : fixed + 0.5));
    }
  }
  return all;
}

uint8_t clip8(int32_t sum) {
  int32_t value = sum >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp<int32_t>(value, 0, 255));
}

// Horizontal pass for output columns [window.left, +window.width) of the
// source rows [first_row, first_row + rows).
Rgb8Image horizontal(const Rgb8Image& in, const std::vector<Taps>& taps, int left, int columns, int first_row, int rows) {
  Rgb8Image out{columns, rows, std::vector<uint8_t>(static_cast<size_t>(columns) * rows * 3)};
  for (int y = 0; y < rows; ++y) {
    const uint8_t* row = &in.pixels[static_cast<size_t>(first_row + y) * in.width * 3];
    uint8_t* target = &out.pixels[static_cast<size_t>(y) * columns * 3];
    for (int x = 0; x < columns; ++x) {
      const Taps& t = taps[static_cast<size_t>(left + x)];
      const uint8_t* source = row + static_cast<size_t>(t.first) * 3;
      // Sums stay below 2^31: 255 times weights that add up to 2^22.
      int32_t r = 1 << (kPrecisionBits - 1), g = r, b = r;
      for (int k = 0; k < t.count; ++k) {
        int32_t weight = t.weights[static_cast<size_t>(k)];
        r += source[k * 3] * weight;
        g += source[k * 3 + 1] * weight;
        b += source[k * 3 + 2] * weight;
      }
      target[x * 3] = clip8(r);
      target[x * 3 + 1] = clip8(g);
      target[x * 3 + 2] = clip8(b);
    }
  }
  return out;
}

// Vertical pass for output rows [top, top + rows); `in` holds the source rows
// from `first_row` on.
Rgb8Image vertical(const Rgb8Image& in, const std::vector<Taps>& taps, int top, int rows, int first_row) {
  Rgb8Image out{in.width, rows, std::vector<uint8_t>(static_cast<size_t>(in.width) * rows * 3)};
  size_t stride = static_cast<size_t>(in.width) * 3;
  std::vector<int32_t> sums(stride);
  for (int y = 0; y < rows; ++y) {
    const Taps& t = taps[static_cast<size_t>(top + y)];
    std::fill(sums.begin(), sums.end(), 1 << (kPrecisionBits - 1));
    for (int k = 0; k < t.count; ++k) {
      const uint8_t* source = &in.pixels[static_cast<size_t>(t.first - first_row + k) * stride];
      int32_t weight = t.weights[static_cast<size_t>(k)];
      for (size_t i = 0; i < stride; ++i) sums[i] += source[i] * weight;
    }
    uint8_t* target = &out.pixels[static_cast<size_t>(y) * stride];
    for (size_t i = 0; i < stride; ++i) target[i] = clip8(sums[i]);
  }
  return out;
}

// The identity taps: a dimension that keeps its size is not filtered.
std::vector<Taps> identity_taps(int size) {
  std::vector<Taps> taps(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i) taps[static_cast<size_t>(i)] = {i, 1, {1 << kPrecisionBits}};
  return taps;
}

}  // namespace

Rgb8Image bilinear_resize_window(const Rgb8Image& image, int width, int height, Window window) {
  if (width < 1 || height < 1 || image.width < 1 || image.height < 1) throw std::invalid_argument("empty image size");
  if (window.left < 0 || window.top < 0 || window.width < 1 || window.height < 1 || window.left + window.width > width ||
      window.top + window.height > height) {
    throw std::invalid_argument("window outside the resized image");
  }
  std::vector<Taps> columns = image.width == width ? identity_taps(width) : taps_for(image.width, width);
  std::vector<Taps> rows = image.height == height ? identity_taps(height) : taps_for(image.height, height);
  // The source rows the window's output rows read.
  const Taps& first = rows[static_cast<size_t>(window.top)];
  const Taps& last = rows[static_cast<size_t>(window.top + window.height - 1)];
  int first_row = first.first;
  int row_count = last.first + last.count - first_row;
  Rgb8Image narrowed = horizontal(image, columns, window.left, window.width, first_row, row_count);
  return vertical(narrowed, rows, window.top, window.height, first_row);
}

Rgb8Image bilinear_resize(const Rgb8Image& image, int width, int height) {
  return bilinear_resize_window(image, width, height, {0, 0, width, height});
}

}  // namespace mtool
