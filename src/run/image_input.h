#pragma once
// Photos to model inputs with libvips (runtime library only), following a
// Recipe (score/recipe.h). Decoded upright (EXIF orientation), in sRGB
// (embedded ICC profiles applied; CMYK, grey and 16-bit converted), alpha
// flattened on white, then resized, center-cropped and normalised.
//
// Two resize paths:
//  - fast (default): libvips' thumbnail, which decodes JPEGs at 1/2, 1/4 or
//    1/8 scale in the DCT (shrink-on-load) and finishes with an antialiased
//    Lanczos reduction. A 24 MP photo never exists in memory at full size.
//  - exact (Recipe::exact_resize): decode in full, then a triangle
//    (bilinear) filter widened by the scale factor, as PIL's
//    Image.resize(BILINEAR) and so torchvision's Resize on PIL images do.
#include <string>

#include <torch/types.h>

#include "score/recipe.h"

namespace mtool {

struct PreparedImage {
  torch::Tensor tensor;       // [1,3,H,W] or [1,H,W,3], recipe's dtype
  double decode_ms = 0;       // decoding, colour conversion and resizing (libvips fuses them)
  double preprocess_ms = 0;   // crop, scaling, normalisation, layout
  int width = 0;              // upright size of the photo as stored
  int height = 0;
};

// Throws std::runtime_error with one sentence when the file cannot be decoded.
PreparedImage prepare_image(const std::string& path, const Recipe& recipe);

// Decoding threads inside libvips: 1 when mtool decodes several photos at
// once on its own threads. Call before the first prepare_image.
void set_image_decoder_threads(int threads);

}  // namespace mtool
