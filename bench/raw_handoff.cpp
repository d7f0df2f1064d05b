// The physical floor for handing a turn between two real threads: they ping-pong on one
// atomic word, each spinning briefly and then sleeping on a futex. Built without the pass.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace plain {
namespace {

// The word holds whose turn it is (0 or 1), plus kSleeping while the waiter sleeps on it, so a
// handoff makes the futex system call only when somebody actually sleeps.
constexpr std::uint32_t kSleeping = 2;

void wait_for(std::atomic<std::uint32_t> &word, std::uint32_t me) {
  for (int i = 0; i < 4000; ++i) {
    if ((word.load(std::memory_order_acquire) & 1) == me) {
      return;
    }
    __builtin_ia32_pause();
  }
  for (;;) {
    std::uint32_t seen = word.load(std::memory_order_acquire);
    if ((seen & 1) == me) {
      return;
    }
    if ((seen & kSleeping) == 0 &&
        !word.compare_exchange_strong(seen, seen | kSleeping, std::memory_order_acquire)) {
      continue;
    }
    syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, seen | kSleeping, nullptr, nullptr, 0);
  }
}

void hand_to(std::atomic<std::uint32_t> &word, std::uint32_t other) {
  if ((word.exchange(other, std::memory_order_release) & kSleeping) != 0) {
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
}

} // namespace

// Nanoseconds per handoff over `rounds` round trips.
double raw_spin_handoff_ns(int rounds) {
  std::atomic<std::uint32_t> turn{0};
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      wait_for(turn, 1);
      hand_to(turn, 0);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    hand_to(turn, 1);
    wait_for(turn, 0);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  other.join();
  return std::chrono::duration<double, std::nano>(elapsed).count() / (2.0 * rounds);
}

} // namespace plain
