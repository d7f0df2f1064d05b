// An execution's clocks. They start at the real time when the execution starts and stand
// still, so that what a thread reads does not depend on how fast the runtime is; time passes
// only when a timed wait times out (the clock jumps to its deadline) and when a thread sleeps
// (the clock moves past the sleep's end). CPU-time clocks are the real ones.
#pragma once

#include <cstdint>

namespace interlace::rt::detail {

class ExecutionClock {
public:
  // The clocks read the real time now, and stand still from here.
  void start();
  std::int64_t now_ns(int clock) const;
  void advance_to(std::int64_t monotonic_ns);
  // An absolute time on `clock` as a time on the execution's CLOCK_MONOTONIC, so that waits
  // on different clocks can be ordered.
  std::int64_t monotonic_ns(int clock, std::int64_t time_ns) const;

private:
  std::int64_t offset_ns_ = 0;
  std::int64_t start_monotonic_ns_ = 0;
  std::int64_t start_realtime_ns_ = 0;
};

// The clocks that move with an execution's clock: all but the CPU-time ones.
bool measures_elapsed_time(int clock);

} // namespace interlace::rt::detail
