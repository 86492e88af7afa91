#include "runtime_flag.h"

#include <fmt/format.h>
#include <vector>

#include "io/error.h"

namespace mtool::cli {

RuntimeRelease parse_runtime_flag(const std::string& text, const char* also) {
  if (std::optional<RuntimeRelease> release = find_runtime_release(text)) return *release;
  std::vector<std::string> known;
  for (const RuntimeRelease& release : runtime_releases()) known.emplace_back(release.version);
  throw Error(ErrorKind::Usage,
              fmt::format("--runtime {}: unknown release (known: {}{}{})", text, fmt::join(known, ", "),
                          also != nullptr ? "; or " : "", also != nullptr ? also : ""));
}

}  // namespace mtool::cli
