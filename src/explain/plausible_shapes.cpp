#include "explain/plausible_shapes.h"

#include <fmt/format.h>

namespace mtool {

namespace {

struct ImageSize {
  uint64_t height, width;
};

// Input sizes of common vision models and camera frames.
constexpr ImageSize kImageSizes[] = {{224, 224}, {256, 256}, {299, 299}, {320, 320}, {384, 384}, {416, 416},
                                     {448, 448}, {512, 512}, {513, 513}, {518, 518}, {520, 520}, {640, 640},
                                     {1024, 1024}, {480, 640}, {720, 1280}, {1080, 1920}};

std::string channel_meaning(uint64_t channels, const ImageSize& size) {
  std::string image = fmt::format("{} x {} image", size.height, size.width);
  switch (channels) {
    case 1: return "a one-channel map (mask, depth or saliency) of a " + image;
    case 3: return "a 3-channel picture of a " + image + " (an image-to-image model, or the input passed through)";
    case 4: return "a 4-channel (RGBA) picture of a " + image;
    case 19: return "a 19-class (Cityscapes) segmentation map of a " + image;
    case 21: return "a 21-class (Pascal VOC) segmentation map of a " + image;
    case 150: return "a 150-class (ADE20K) segmentation map of a " + image;
    default: return fmt::format("a {}-class segmentation map of a {}", channels, image);
  }
}

void add_image_maps(uint64_t elements, std::vector<PlausibleShape>& shapes) {
  for (const ImageSize& size : kImageSizes) {
    uint64_t pixels = size.height * size.width;
    if (elements % pixels != 0) continue;
    uint64_t channels = elements / pixels;
    bool common = channels <= 4 || channels == 19 || channels == 21 || channels == 150;
    if (!common) continue;
    shapes.push_back({{1, channels, size.height, size.width}, channel_meaning(channels, size)});
  }
}

struct FeatureMap {
  uint64_t channels, side;
  const char* backbone;
};

// The last feature map of common classifiers at 224 x 224 input: what a model
// returns when it was cut before its pooling and classifier.
constexpr FeatureMap kFeatureMaps[] = {{2048, 7, "ResNet-50/101/152"}, {512, 7, "ResNet-18/34 or VGG"},
                                       {1280, 7, "MobileNetV2 or EfficientNet-B0"}, {960, 7, "MobileNetV3-Large"},
                                       {576, 7, "MobileNetV3-Small"}, {1024, 7, "DenseNet-121"}};

void add_feature_maps(uint64_t elements, std::vector<PlausibleShape>& shapes) {
  for (const FeatureMap& map : kFeatureMaps) {
    if (elements != map.channels * map.side * map.side) continue;
    shapes.push_back({{1, map.channels, map.side, map.side},
                      fmt::format("the last feature map of {} at 224 x 224 (the model stops before pooling)",
                                  map.backbone)});
  }
}

struct ClassCount {
  uint64_t classes;
  const char* meaning;
};

constexpr ClassCount kClassCounts[] = {{1000, "ImageNet-1k class scores"}, {1001, "ImageNet class scores with a background class"},
                                       {21843, "ImageNet-21k class scores"}, {10, "10 class scores (CIFAR-10 / MNIST)"},
                                       {100, "100 class scores (CIFAR-100)"}, {80, "80 COCO class scores"},
                                       {91, "91 COCO class scores"}, {2, "two class scores"},
                                       {512, "a 512-value embedding"}, {128, "a 128-value embedding"}};

void add_vectors(uint64_t elements, std::vector<PlausibleShape>& shapes) {
  for (const ClassCount& count : kClassCounts) {
    if (elements == count.classes) shapes.push_back({{1, count.classes}, count.meaning});
  }
}

// YOLO heads at 640 x 640: YOLOv5 [1, 25200, 5 + classes], YOLOv8 [1, 4 + classes, 8400].
void add_detections(uint64_t elements, std::vector<PlausibleShape>& shapes) {
  if (elements % 25200 == 0 && elements / 25200 > 5 && elements / 25200 <= 1005) {
    uint64_t per_box = elements / 25200;
    shapes.push_back({{1, 25200, per_box}, fmt::format("YOLOv5 detections at 640 x 640 ({} classes)", per_box - 5)});
  }
  if (elements % 8400 == 0 && elements / 8400 > 4 && elements / 8400 <= 1004) {
    uint64_t per_box = elements / 8400;
    shapes.push_back({{1, per_box, 8400}, fmt::format("YOLOv8 detections at 640 x 640 ({} classes)", per_box - 4)});
  }
}

}  // namespace

std::string PlausibleShape::text() const { return fmt::format("[{}]", fmt::join(dims, ", ")); }

std::vector<PlausibleShape> plausible_shapes(uint64_t elements) {
  std::vector<PlausibleShape> shapes;
  if (elements < 2) return shapes;
  add_image_maps(elements, shapes);
  add_feature_maps(elements, shapes);
  add_vectors(elements, shapes);
  add_detections(elements, shapes);
  return shapes;
}

std::string prime_factors(uint64_t value) {
  // Trial division stays fast up to here (a million steps at most).
  constexpr uint64_t kLargestFactored = 1'000'000'000'000;
  if (value < 2 || value > kLargestFactored) return fmt::format("{}", value);
  std::vector<std::string> parts;
  for (uint64_t factor = 2; factor <= value / factor; ++factor) {
    int power = 0;
    while (value % factor == 0) {
      value /= factor;
      ++power;
    }
    if (power > 0) parts.push_back(power == 1 ? fmt::format("{}", factor) : fmt::format("{}^{}", factor, power));
  }
  if (value > 1) parts.push_back(fmt::format("{}", value));
  return fmt::format("{}", fmt::join(parts, " x "));
}

}  // namespace mtool
