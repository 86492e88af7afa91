#pragma once
// An ErrorKind's name where errors cross a JSON boundary (the runtime
// library's answers): "usage", "io", "format".
#include "io/error.h"

namespace mtool {

inline const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Io: return "io";
    case ErrorKind::Format: return "format";
  }
  return "format";
}

}  // namespace mtool
