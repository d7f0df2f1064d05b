// Sleeping and the clock in managed threads. A sleep is a yield point and no real sleep; the
// execution's clock (ExecutionClock::now_ns) then moves past the sleep's end, so the sleeper sees
// the time it asked for pass. Timed waits are elsewhere: they time out only when nothing else
// can run, and the clock then jumps to their deadline (Execution::pick).
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <limits>

#include "execution.hpp"
#include "primitive_support.hpp"
#include "primitives.hpp"

namespace interlace::rt::detail::managed {
namespace {

constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  return b > std::numeric_limits<std::int64_t>::max() - a ? std::numeric_limits<std::int64_t>::max()
                                                          : a + b;
}

// A yield point, then the clock moves to at least `until` (on the execution's
// CLOCK_MONOTONIC).
void sleep_until(ManagedThread &self, std::int64_t until) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(EventKind::Sleep, nullptr));
  execution.clock().advance_to(until);
}

void sleep_for(ManagedThread &self, std::int64_t duration_ns) {
  RuntimeSection section(self);
  sleep_until(self, saturating_add(self.execution->clock().now_ns(CLOCK_MONOTONIC), duration_ns));
}

} // namespace

unsigned sleep(ManagedThread &self, unsigned seconds) {
  sleep_for(self, static_cast<std::int64_t>(seconds) * kNanosecondsPerSecond);
  return 0;
}

int usleep(ManagedThread &self, unsigned useconds) {
  sleep_for(self, static_cast<std::int64_t>(useconds) * 1000);
  return 0;
}

int nanosleep(ManagedThread &self, const struct timespec *request, struct timespec *remaining) {
  (void)remaining; // written only when a signal interrupts the sleep
  if (!valid_timespec(request) || request->tv_sec < 0) {
    errno = EINVAL;
    return -1;
  }
  sleep_for(self, nanoseconds(*request));
  return 0;
}

// Returns an error number, not -1 and errno, like the real one.
int clock_nanosleep(ManagedThread &self, int clock, int flags, const struct timespec *request,
                    struct timespec *remaining) {
  (void)remaining;
  if (!valid_timespec(request) || clock == CLOCK_THREAD_CPUTIME_ID) {
    return EINVAL;
  }
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  if (!measures_elapsed_time(clock)) {
    // CPU time passes only while the process runs: a yield point, and the clock stays.
    execution.step(self, sync_event(EventKind::Sleep, nullptr));
    return 0;
  }
  if ((flags & TIMER_ABSTIME) != 0) {
    // The execution's clocks differ from the real ones by the same offset.
    const std::int64_t remaining_ns = nanoseconds(*request) - execution.clock().now_ns(clock);
    sleep_for(self, remaining_ns > 0 ? remaining_ns : 0);
  } else if (request->tv_sec < 0) {
    return EINVAL;
  } else {
    sleep_for(self, nanoseconds(*request));
  }
  return 0;
}

int sched_yield(ManagedThread &self) {
  RuntimeSection section(self);
  // glibc declares sched_yield noexcept: a teardown here continues at the next yield point.
  step_through_teardown(self, sync_event(EventKind::Sleep, nullptr));
  return 0;
}

int clock_gettime(ManagedThread &self, int clock, struct timespec *time) {
  const int rc = real::clock_gettime(clock, time); // validates the clock and the pointer
  if (rc != 0 || !measures_elapsed_time(clock)) {
    return rc;
  }
  const std::int64_t now = self.execution->clock().now_ns(clock);
  time->tv_sec = static_cast<time_t>(now / kNanosecondsPerSecond);
  time->tv_nsec = static_cast<long>(now % kNanosecondsPerSecond);
  return 0;
}

} // namespace interlace::rt::detail::managed
