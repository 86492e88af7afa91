#pragma once
// Photos to model inputs with libvips (runtime library only): decoded at the
// size the model needs (shrink-on-load), upright (EXIF orientation), in sRGB
// (embedded ICC profiles applied), alpha flattened on white, then resized,
// center-cropped and normalised as a recipe says. The default recipe is
// torchvision's ImageNet one: Resize(256), CenterCrop(224), ImageNet mean/std.
#include <array>
#include <string>

#include <torch/types.h>

namespace mtool {

struct ImageRecipe {
  int resize_shorter = 256;  // 0: no resize
  int crop = 224;            // 0: no crop
  double scale = 1.0 / 255;  // 0-255 to 0-1
  std::array<double, 3> mean{0.485, 0.456, 0.406};
  std::array<double, 3> std{0.229, 0.224, 0.225};
};

// A [1, 3, H, W] float32 tensor. Throws std::runtime_error with one sentence
// when the file cannot be decoded.
torch::Tensor image_to_tensor(const std::string& path, const ImageRecipe& recipe);

}  // namespace mtool
