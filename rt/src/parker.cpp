#include "parker.hpp"

#include <thread>

#include "futex.hpp"

namespace interlace::rt::detail {
namespace {

// Spinning pays only while a spare core exists for the spinner: the thread holding the turn
// needs one core, so at most hardware_concurrency - 1 waiters spin at once.
int max_spinners() {
  static const int value = [] {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    return cores > 1 ? cores - 1 : 0;
  }();
  return value;
}

std::atomic<int> g_spinners{0};

constexpr int kSpinIterations = 4000;
constexpr int kPoliteIterations = 64; // polls, each a pause burst and a sched_yield
constexpr int kPauseBurst = 64;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

} // namespace

void Parker::unpark() noexcept {
  if (word_.exchange(kGranted, std::memory_order_release) == kSleeping) {
    futex_wake(&word_, 1);
  }
}

// Waits for a grant without sleeping, for a bounded time. A waiter that gets a spare core's
// slot spins on it; one that does not polls politely, giving its core away between polls, and
// takes a slot as soon as one frees up (in a ping-pong the thread just woken frees it
// nanoseconds later).
bool Parker::spin() noexcept {
  for (int polite = 0; polite < kPoliteIterations; ++polite) {
    if (g_spinners.fetch_add(1, std::memory_order_relaxed) < max_spinners()) {
      bool granted = false;
      for (int i = 0; i < kSpinIterations && !granted; ++i) {
        granted = word_.load(std::memory_order_acquire) == kGranted;
        cpu_relax();
      }
      g_spinners.fetch_sub(1, std::memory_order_relaxed);
      return granted;
    }
    g_spinners.fetch_sub(1, std::memory_order_relaxed);
    for (int i = 0; i < kPauseBurst; ++i) {
      if (word_.load(std::memory_order_acquire) == kGranted) {
        return true;
      }
      cpu_relax();
    }
    raw_syscall4(SYS_sched_yield, 0, 0, 0, 0);
  }
  return word_.load(std::memory_order_acquire) == kGranted;
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
