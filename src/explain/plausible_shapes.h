#pragma once
// Which tensor shapes a bare element count can be: "a Tensor with 100352
// elements" is [1, 2, 224, 224] (a 2-class map of a 224 x 224 image) or
// [1, 2048, 7, 7] (ResNet-50's last feature map). Only shapes built from
// common image sizes, channel counts, class counts and backbone feature maps
// are offered; a count that is none of them gets its prime factors instead.
#include <cstdint>
#include <string>
#include <vector>

namespace mtool {

struct PlausibleShape {
  std::vector<uint64_t> dims;
  std::string meaning;  // "a 2-class segmentation map of a 224 x 224 image"
  std::string text() const;  // "[1, 2, 224, 224]"
};

std::vector<PlausibleShape> plausible_shapes(uint64_t elements);

// "2^11 x 7^2"
std::string prime_factors(uint64_t value);

}  // namespace mtool
