#pragma once
// joblib.dump writes each numpy array inline: a NumpyArrayWrapper pickled
// with its dtype and shape, then, after its BUILD, the array's raw bytes in the
// same stream (joblib 1.2 numpy_pickle.py, NumpyArrayWrapper.read_array). The
// unpickling continues after them, so a scan must step over them too.
#include <cstdint>

#include "io/byte_reader.h"
#include "pickle/pickle_node.h"

namespace mtool {

// How many of `following` joblib reads as array data after this BUILD: 0 when
// `built` is not a NumpyArrayWrapper, or holds objects (a nested pickle
// follows then, which the scan reads as opcodes anyway). Throws FormatError
// when the data it announces is not there.
uint64_t joblib_inline_array_bytes(const PickleNode& built, Bytes following);

}  // namespace mtool
