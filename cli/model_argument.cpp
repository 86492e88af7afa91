#include "model_argument.h"

#include <fmt/format.h>

#include "io/error.h"

namespace mtool::cli {

ModelReport inspect_model_argument(const std::string& path) {
  try {
    return inspect_path(path, {});
  } catch (const Error& error) {
    throw Error(error.kind(), fmt::format("{}: {}", path, error.what()));
  }
}

}  // namespace mtool::cli
