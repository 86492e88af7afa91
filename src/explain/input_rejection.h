#pragma once
// Why a model refused the input mtool gave it, read from LibTorch's message and
// the input's shape: the channel count, the layout (channels first or last), the
// dtype, the rank, the batch size or the spatial size. Said in score's and
// bench's errors in place of LibTorch's text alone, with the flag that changes it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mtool {

// Where the input came from, which decides the advice: photos prepared by a recipe
// (score) or tensors of given shapes (bench, verification).
enum class InputOrigin { Photos, Shapes };

struct InputRejection {
  std::string cause;   // "channels", "layout", "dtype", "rank", "batch", "size" or "unknown"
  std::string detail;  // what the message says was expected, e.g. "the model wants 1 channel, the input has 3"
  std::string advice;  // the flag or step that changes it
};

// `error`: LibTorch's message (one line); `shape` and `dtype` ("float", "uint8"): the input given.
InputRejection classify_rejection(std::string_view error, const std::vector<int64_t>& shape, std::string_view dtype,
                                  InputOrigin origin);

// "the model rejected a [1, 3, 224, 224] float input (channels: the model wants 1 channel, the input has 3):
// LibTorch's message (advice)".
std::string describe_rejection(std::string_view error, const std::vector<int64_t>& shape, std::string_view dtype,
                               InputOrigin origin);

}  // namespace mtool
