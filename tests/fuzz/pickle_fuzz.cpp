// libFuzzer target: the pickle reader and everything that walks its trees.
#include <cstddef>
#include <cstdint>

#include "inspect/bytecode.h"
#include "inspect/pickle_contents.h"
#include "inspect/symbolic_tree.h"
#include "inspect/tensor_collector.h"
#include "pickle/pickle_reader.h"
#include "torch_pickle/torch_pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtool::Bytes bytes(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> error;
  mtool::PickleProgram partial = mtool::read_pickle_tolerant(bytes, 0, error);
  mtool::describe(partial.root, 4);
  try {
    mtool::PickleProgram program = mtool::read_pickle(bytes);
    mtool::render_symbolic_tree(program.root);
    mtool::read_pickle_contents(program, nullptr);
    mtool::root_classes(program);
    mtool::TensorCollector collector;
    collector.add(program, "", nullptr);
    mtool::read_bytecode(program);
  } catch (const mtool::FormatError&) {
  }
  return 0;
}
