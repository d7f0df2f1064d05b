// The runtime's own lock, built on a raw futex so that taking it never passes through the
// pthread interceptors (which would turn it into a scheduling point). Hold it briefly and
// never across a point where a managed thread can park or be torn down.
#pragma once

#include <atomic>
#include <cstdint>

#include "futex.hpp"

namespace interlace::rt::detail {

class InternalLock {
public:
  void lock() noexcept {
    std::uint32_t expected = 0;
    if (word_.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
      return;
    }
    while (word_.exchange(2, std::memory_order_acquire) != 0) {
      futex_wait(&word_, 2);
    }
  }

  void unlock() noexcept {
    if (word_.exchange(0, std::memory_order_release) == 2) {
      futex_wake(&word_, 1);
    }
  }

private:
  std::atomic<std::uint32_t> word_{0}; // 0 free, 1 held, 2 held with waiters
};

} // namespace interlace::rt::detail
