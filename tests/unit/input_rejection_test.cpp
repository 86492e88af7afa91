// The cause of a refused input, read from the messages PyTorch 1.13 itself prints
// (captured from torch.jit.script modules run on the wrong input by /usr/bin/python3).
#include <doctest/doctest.h>

#include "explain/input_rejection.h"

using mtool::classify_rejection;
using mtool::InputOrigin;

namespace {
const std::vector<int64_t> kPhoto = {1, 3, 224, 224};
}

TEST_CASE("input rejections: each LibTorch message is named as its cause, with a flag that changes it") {
  auto grey = classify_rejection("Given groups=1, weight of size [4, 1, 3, 3], expected input[1, 3, 224, 224] to have 1 "
                                 "channels, but got 3 channels instead", kPhoto, "float32", InputOrigin::Photos);
  CHECK(grey.cause == "channels");
  CHECK(grey.detail == "the model wants 1 channel, the input has 3");
  CHECK(grey.advice == "a grey (1-channel) model: give --channels L");
  auto colour = classify_rejection(
      "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 1, 64, 64] to have 3 "
      "channels, but got 1 channels instead",
      {1, 1, 64, 64}, "float32", InputOrigin::Photos);
  CHECK(colour.cause == "channels");
  CHECK(colour.advice == "a colour model: give --channels RGB");
  // --layout NHWC on a model that wants channels first: the layer sees 224 channels.
  auto last = classify_rejection(
      "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 224, 224, 3] to have 3 "
      "channels, but got 224 channels instead",
      {1, 224, 224, 3}, "float32", InputOrigin::Photos);
  CHECK(last.cause == "layout");
  CHECK(last.detail == "the model wants channels first (3 channels), the input has them last");
  CHECK(last.advice == "give --layout NCHW");
  auto last_shape = classify_rejection(
      "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 224, 224, 3] to "
      "have 3 channels, but got 224 channels instead",
      {1, 224, 224, 3}, "float32", InputOrigin::Shapes);
  CHECK(last_shape.cause == "layout");
  CHECK(last_shape.advice == "give the shape with channels first");
  // A model that permutes NHWC to NCHW itself: the layer sees [1, 224, 3, 224].
  auto nhwc = classify_rejection("Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 224, 3, 224] to have 3 "
                                 "channels, but got 224 channels instead", kPhoto, "float32", InputOrigin::Photos);
  CHECK(nhwc.cause == "layout");
  CHECK(nhwc.advice == "give --layout NHWC");
  auto half = classify_rejection("Input type (float) and bias type (c10::Half) should be the same", kPhoto, "float32",
                                 InputOrigin::Photos);
  CHECK(half.cause == "dtype");
  CHECK(half.advice.find("float16") != std::string::npos);
  auto bytes = classify_rejection("Input type (unsigned char) and bias type (float) should be the same", kPhoto,
                                  "uint8", InputOrigin::Photos);
  CHECK(bytes.cause == "dtype");
  CHECK(bytes.advice == "give --dtype float32");
  CHECK(bytes.detail == "the model wants float32, the input is uint8");
  // A convolution without bias names the input's type first (PyTorch 1.13, uint8 input).
  auto no_bias = classify_rejection("expected scalar type Byte but found Float", kPhoto, "uint8", InputOrigin::Photos);
  CHECK(no_bias.cause == "dtype");
  CHECK(no_bias.detail == "the model wants float32, the input is uint8");
  auto bench_bytes =
      classify_rejection("expected scalar type Byte but found Float", kPhoto, "Byte", InputOrigin::Shapes);
  CHECK(bench_bytes.detail == "the model wants float32, the input is uint8");
  auto unsupported =
      classify_rejection("\"batch_norm\" not implemented for 'Byte'", kPhoto, "uint8", InputOrigin::Photos);
  CHECK(unsupported.detail == "the model cannot take uint8 input");
  auto half_compute =
      classify_rejection("\"slow_conv2d_cpu\" not implemented for 'Half'", kPhoto, "float32", InputOrigin::Photos);
  CHECK(half_compute.detail == "the model wants float16, the input is float32");
  CHECK(half_compute.advice.find("float16 model") != std::string::npos);
  auto size = classify_rejection("mat1 and mat2 shapes cannot be multiplied (1x197136 and 2704x10)", kPhoto, "float32",
                                 InputOrigin::Photos);
  CHECK(size.cause == "size");
  CHECK(size.detail == "a fully connected layer wants 2704 features, the input gives 197136");
  auto rank = classify_rejection("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, "
                                 "224, 224]", {3, 224, 224}, "float32", InputOrigin::Shapes);
  CHECK(rank.cause == "rank");
  auto tiny = classify_rejection("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
                                 "can't be greater than actual input size", {1, 1, 2, 2}, "float32", InputOrigin::Shapes);
  CHECK(tiny.cause == "size");
  CHECK(tiny.advice == "give --input-shape with the size it was trained on");
  auto batch = classify_rejection("shape '[1, 2704]' is invalid for input of size 10816", {4, 3, 28, 28}, "float32",
                                  InputOrigin::Photos);
  CHECK(batch.cause == "batch");
  auto not_batch = classify_rejection("shape '[1, 2704]' is invalid for input of size 10816", {1, 3, 56, 56}, "float32",
                                      InputOrigin::Photos);
  CHECK(not_batch.cause == "size");
  auto other = classify_rejection("could not create a descriptor for a matmul primitive", kPhoto, "float32",
                                  InputOrigin::Photos);
  CHECK(other.cause == "unknown");
  CHECK(other.advice.find("--show-recipe") != std::string::npos);
}

TEST_CASE("describe_rejection keeps LibTorch's text and says the cause before it") {
  std::string text = mtool::describe_rejection("mat1 and mat2 shapes cannot be multiplied (1x150528 and 3072x4)",
                                               kPhoto, "float32", InputOrigin::Photos);
  CHECK(text == "the model rejected a [1, 3, 224, 224] float32 input (size: a fully connected layer wants 3072 "
                "features, the input gives 150528): mat1 and mat2 shapes cannot be multiplied (1x150528 and 3072x4) "
                "(give the size it was trained on: --resize and --crop, or `mtool recipe set`)");
}
