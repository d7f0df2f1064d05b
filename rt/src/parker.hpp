// A one-shot handoff slot for one OS thread: unpark() grants, park() waits for the grant.
// park() polls briefly before it sleeps on a futex (a polling waiter takes the grant in a
// tenth of a microsecond, a futex wake costs one or more microseconds), and gives its core
// away between polls, so polling never starves the thread that holds the turn even when more
// threads wait than there are cores.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace interlace::rt::detail {

class Parker {
public:
  // Grants the turn. At most one grant may be outstanding.
  void unpark() noexcept;

  // Waits for a grant and consumes it.
  void park() noexcept;

  // Like park(), but gives up at `deadline`. Returns false on timeout.
  bool park_until(std::chrono::steady_clock::time_point deadline) noexcept;

private:
  enum : std::uint32_t { kIdle = 0, kGranted = 1, kSleeping = 2 };
  bool spin() noexcept;
  std::atomic<std::uint32_t> word_{kIdle};
};

} // namespace interlace::rt::detail
