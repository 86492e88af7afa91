#pragma once
// `mtool inspect --tree`: the main pickle of a file, every node of it, as an
// indented tree. For the curious; the default report stays short.
#include <string>

#include "io/byte_reader.h"
#include "pickle/pickle_node.h"

namespace mtool {

// The tree under `root`, one node per line. Shared nodes are printed once
// and referred to afterwards; nesting and list lengths are capped.
std::string render_symbolic_tree(const PickleNode* root);

// Finds the file's main pickle (data.pkl of a PyTorch zip, the object pickle of
// a legacy torch.save, or the file itself) and renders it. Throws FormatError
// when the file has none.
std::string symbolic_tree_of_file(Bytes file);

}  // namespace mtool
