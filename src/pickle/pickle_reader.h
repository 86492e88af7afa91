#pragma once
// A pickle reader (protocols 0 to 5) that builds a symbolic tree and never
// imports, calls or executes anything the pickle names.
#include <optional>
#include <string>

#include "io/byte_reader.h"
#include "pickle/pickle_node.h"

namespace mtool {

struct PickleLimits {
  // Deeper values are refused: real checkpoints nest a few dozen levels, and
  // the tree is walked by code that must not run out of stack.
  uint32_t max_depth = 1000;
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

// True when the first bytes look like the start of a pickle (PROTO, or a
// protocol-0/1 opcode that can begin one), to decide whether to try.
bool looks_like_pickle(Bytes bytes);

}  // namespace mtool
