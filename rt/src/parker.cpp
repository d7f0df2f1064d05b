#include "parker.hpp"

#include <ctime>

#include "futex.hpp"
#include "real.hpp"

namespace interlace::rt::detail {
namespace {

// A waiter polls its word in bursts of pauses and gives its core away between bursts. A
// burst of 16 pauses (under a microsecond) keeps a handoff to a polling thread at a fraction
// of a microsecond, and the yield lets a granted thread that shares the core run at once,
// which matters whenever more threads wait than there are cores (an execution has its
// threads plus the controller; a CI machine has two cores). Measured on a 2-core VM with
// bench_figures: bursts of 4 slow the handoff threefold; bursts of 64, or a waiter that
// spins on a spare core without yielding, lose a third to a half of exec_per_s_counter.
constexpr int kPauseBurst = 16;
// How long a waiter polls before it sleeps on the futex. Longer than the gap between two
// executions of explore_interleavings (a few microseconds of RapidCheck and setup), so the
// pooled threads are still polling when the next execution starts: a futex wake costs a
// microsecond or more here, and much more on a busy machine.
constexpr long kPollBudgetNs = 200'000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

// Real monotonic time: the runtime's clock_gettime interceptor would give a managed thread
// its execution's clock, which stands still.
long monotonic_ns() {
  struct timespec now{};
  real::clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1'000'000'000L + now.tv_nsec;
}

} // namespace

void Parker::unpark() noexcept {
  if (word_.exchange(kGranted, std::memory_order_release) == kSleeping) {
    futex_wake(&word_, 1);
  }
}

// Waits for a grant without sleeping, for at most kPollBudgetNs.
bool Parker::spin() noexcept {
  const long give_up = monotonic_ns() + kPollBudgetNs;
  for (;;) {
    for (int i = 0; i < kPauseBurst; ++i) {
      if (word_.load(std::memory_order_acquire) == kGranted) {
        return true;
      }
      cpu_relax();
    }
    if (monotonic_ns() > give_up) {
      return word_.load(std::memory_order_acquire) == kGranted;
    }
    raw_syscall4(SYS_sched_yield, 0, 0, 0, 0);
  }
}

void Parker::park() noexcept {
  if (!spin()) {
    for (;;) {
      std::uint32_t expected = kIdle;
      if (!word_.compare_exchange_strong(expected, kSleeping, std::memory_order_acquire)) {
        if (expected == kGranted) {
          break;
        }
      }
      futex_wait(&word_, kSleeping);
      if (word_.load(std::memory_order_acquire) == kGranted) {
        break;
      }
    }
  }
  word_.store(kIdle, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
}

bool Parker::park_until(std::chrono::steady_clock::time_point deadline) noexcept {
  if (spin()) {
    word_.store(kIdle, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
  }
  for (;;) {
    std::uint32_t expected = kIdle;
    if (!word_.compare_exchange_strong(expected, kSleeping, std::memory_order_acquire) &&
        expected == kGranted) {
      break;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      // Withdraw the sleeping mark; a grant that raced in wins.
      expected = kSleeping;
      if (word_.compare_exchange_strong(expected, kIdle, std::memory_order_acquire)) {
        return false;
      }
      break;
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    struct timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    futex_wait(&word_, kSleeping, &ts);
    if (word_.load(std::memory_order_acquire) == kGranted) {
      break;
    }
  }
  word_.store(kIdle, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  return true;
}

} // namespace interlace::rt::detail
