#pragma once
// A pickle reader (protocols 0 to 5) that builds a symbolic tree and never
// imports, calls or executes anything the pickle names.
#include <functional>
#include <optional>
#include <string>

#include "io/byte_reader.h"
#include "pickle/pickle_node.h"

namespace mtool {

struct PickleLimits {
  // Deeper values are refused: real checkpoints nest a few dozen levels, and
  // the tree is walked by code that must not run out of stack.
  uint32_t max_depth = 1000;
  // Some loaders read raw bytes from the stream in the middle of a pickle
  // (joblib's arrays, after the BUILD of their wrapper). Called after every
  // BUILD with the value built and the bytes that follow; returns how many of
  // them the loader would read as data, not opcodes.
  std::function<uint64_t(const PickleNode& built, Bytes following)> inline_data_after_build;
};

// Reads one pickle from the start of `bytes` up to its STOP opcode.
// `base_offset` is where `bytes` starts in the file, for messages.
// Throws FormatError("offset N: ...") on anything it cannot accept.
PickleProgram read_pickle(Bytes bytes, uint64_t base_offset = 0, PickleLimits limits = {});

// The same, but a pickle that breaks part way is not an exception: what was
// read up to the break is returned (its globals above all, for scanning), and
// `error` says where and why it broke.
PickleProgram read_pickle_tolerant(Bytes bytes, uint64_t base_offset, std::optional<std::string>& error,
                                   PickleLimits limits = {});

// True when the first byte is an opcode (and a PROTO a protocol CPython
// reads): the unpickler needs no header, any opcode can begin a pickle.
bool looks_like_pickle(Bytes bytes);
bool is_pickle_opcode(uint8_t byte);

}  // namespace mtool
