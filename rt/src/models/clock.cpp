#include "clock.hpp"

#include <algorithm>
#include <ctime>

#include "../real.hpp"

namespace interlace::rt::detail {
namespace {

std::int64_t clock_ns(int clock) {
  struct timespec time{};
  real::clock_gettime(clock, &time);
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

} // namespace

bool measures_elapsed_time(int clock) {
  return clock >= 0 && clock != CLOCK_PROCESS_CPUTIME_ID && clock != CLOCK_THREAD_CPUTIME_ID;
}

void ExecutionClock::start() {
  offset_ns_ = 0;
  start_monotonic_ns_ = clock_ns(CLOCK_MONOTONIC);
  start_realtime_ns_ = clock_ns(CLOCK_REALTIME);
}

std::int64_t ExecutionClock::now_ns(int clock) const {
  if (!measures_elapsed_time(clock)) {
    return clock_ns(clock);
  }
  std::int64_t start = 0;
  if (clock == CLOCK_MONOTONIC) {
    start = start_monotonic_ns_;
  } else if (clock == CLOCK_REALTIME) {
    start = start_realtime_ns_;
  } else { // the other elapsed-time clocks stand still at the same moment
    start = clock_ns(clock) - (clock_ns(CLOCK_MONOTONIC) - start_monotonic_ns_);
  }
  return start + offset_ns_;
}

void ExecutionClock::advance_to(std::int64_t monotonic_ns) {
  // At most a century ahead, so that no clock overflows (a wait "forever" still ends).
  constexpr std::int64_t kMaxOffset = 100LL * 365 * 24 * 3600 * 1'000'000'000;
  offset_ns_ = std::clamp(monotonic_ns - start_monotonic_ns_, offset_ns_, kMaxOffset);
}

std::int64_t ExecutionClock::monotonic_ns(int clock, std::int64_t time_ns) const {
  return clock == CLOCK_MONOTONIC ? time_ns : time_ns - now_ns(clock) + now_ns(CLOCK_MONOTONIC);
}

} // namespace interlace::rt::detail
