#include "parker.hpp"

#include <ctime>

#include "futex.hpp"
#include "real.hpp"

namespace interlace::rt::detail {

void Parker::wake() noexcept {
  if (word_.load(std::memory_order_seq_cst) == kSleeping) {
    word_.store(kAwake, std::memory_order_relaxed);
    futex_wake(&word_, 1);
  }
}

bool Parker::sleep_until(Clock::time_point deadline) noexcept {
  if (deadline == Clock::time_point::max()) {
    futex_wait(&word_, kSleeping);
    return true;
  }
  // steady_clock is CLOCK_MONOTONIC; read it without the interceptor (see now_ns).
  const std::int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count() -
      now_ns();
  if (ns <= 0) {
    return false;
  }
  struct timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  timeout.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  futex_wait(&word_, kSleeping, &timeout);
  return true;
}

// Real monotonic time: the runtime's clock_gettime interceptor would give a managed thread
// its execution's clock, which stands still.
std::int64_t Parker::now_ns() noexcept {
  struct timespec now{};
  real::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void Parker::yield_core() noexcept { raw_syscall4(SYS_sched_yield, 0, 0, 0, 0); }

} // namespace interlace::rt::detail
