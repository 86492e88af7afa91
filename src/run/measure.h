#pragma once
// Wall time and peak memory of this process, for bench and score (runtime
// library only).
#include <chrono>
#include <cstdint>

namespace mtool {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Peak resident memory of this process (VmHWM).
uint64_t peak_rss_bytes();

// Resets that peak, so a later peak_rss_bytes() covers only what follows
// (Linux 4.0+). False when the kernel does not allow it.
bool reset_peak_rss();

}  // namespace mtool
