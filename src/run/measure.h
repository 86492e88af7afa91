#pragma once
// Wall time and peak memory of this process, for bench and score (runtime
// library only); peak memory comes from platform/platform.h.
#include <chrono>
#include <cstdint>

#include "platform/platform.h"

namespace mtool {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

using platform::peak_rss_bytes;
using platform::reset_peak_rss;
using platform::settle_allocator;

}  // namespace mtool
