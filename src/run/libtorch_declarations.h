#pragma once
// LibTorch functions whose headers Debian's libtorch-dev does not ship
// (torch/csrc/jit/mobile/compatibility/*.h). The symbols are in libtorch_cpu;
// these declarations match PyTorch 1.13's headers, and are the only place
// mtool declares LibTorch API itself.
#include <cstdint>
#include <ostream>
#include <string>

#include <c10/macros/Export.h>

namespace torch::jit {

// compatibility/backport.h: writes `input_filename` backported to bytecode
// `to_version`; false when it could not.
TORCH_API bool _backport_for_mobile(const std::string& input_filename, const std::string& output_filename,
                                    const int64_t to_version);
// The same, into a stream: LibTorch's file writer throws from its destructor
// when the disk fills, which ends the process (std::terminate).
TORCH_API bool _backport_for_mobile(const std::string& input_filename, std::ostream& out, const int64_t to_version);

// compatibility/model_compatibility.h
TORCH_API uint64_t _get_model_bytecode_version(const std::string& filename);

}  // namespace torch::jit
