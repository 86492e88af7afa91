#include "score/builtin_model.h"

// The assembler copies the file into the read-only data section; CMake
// recompiles this file when the model changes (OBJECT_DEPENDS).
asm(".section .rodata\n"
    ".balign 64\n"
    ".global mtool_builtin_quality_model_start\n"
    "mtool_builtin_quality_model_start:\n"
    ".incbin \"" MTOOL_IQA_MODEL_PATH "\"\n"
    ".global mtool_builtin_quality_model_end\n"
    "mtool_builtin_quality_model_end:\n"
    ".previous\n");

extern "C" const char mtool_builtin_quality_model_start[];
extern "C" const char mtool_builtin_quality_model_end[];

namespace mtool {

std::string_view builtin_quality_model() {
  return {mtool_builtin_quality_model_start,
          static_cast<size_t>(mtool_builtin_quality_model_end - mtool_builtin_quality_model_start)};
}

}  // namespace mtool
