// Waiting for a condition that another thread makes true, such as "the turn is mine". The
// waiter polls the condition briefly before it sleeps on a futex: a polling waiter notices in
// a tenth of a microsecond, a futex wake costs one or more. It gives its core away between
// polls, so polling never starves the thread that holds the turn, even when more threads wait
// than there are cores. The condition itself lives wherever the waker writes it (the
// execution's turn word, a worker's task), so a handoff that finds the waiter polling moves
// no cache line besides that one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace interlace::rt::detail {

class Parker {
public:
  using Clock = std::chrono::steady_clock;

  // Returns once ready() is true. ready() must read the condition with a seq_cst load, and
  // the waker must make it true with a seq_cst write before it calls wake().
  template <class Ready> void wait(Ready ready) noexcept {
    wait_until(ready, Clock::time_point::max());
  }

  // Like wait(), polling for at most `poll_budget_ns` before it sleeps: for a waiter that is
  // one of more threads than there are cores, whose polling would slow the one that runs.
  template <class Ready> void wait_briefly(Ready ready, std::int64_t poll_budget_ns) noexcept {
    wait_until(ready, Clock::time_point::max(), poll_budget_ns);
  }
  // How long wait_briefly() waiters poll: a few bursts.
  static constexpr std::int64_t kBriefPollNs = 2'000;

  // Like wait(), but gives up at `deadline`. Returns ready().
  template <class Ready>
  bool wait_until(Ready ready, Clock::time_point deadline,
                  std::int64_t poll_budget_ns = kPollBudgetNs) noexcept {
    if (poll(ready, poll_budget_ns)) {
      return true;
    }
    for (;;) {
      // Announce the sleep, then look again: a waker either sees the announcement or made
      // the condition true before this look (both sides are seq_cst).
      word_.store(kSleeping, std::memory_order_seq_cst);
      if (ready() || !sleep_until(deadline)) {
        word_.store(kAwake, std::memory_order_relaxed);
        return ready();
      }
    }
  }

  // Wakes the waiter if it sleeps. Call after making its condition true.
  void wake() noexcept;

private:
  enum : std::uint32_t { kAwake = 0, kSleeping = 1 };

  // Polls ready() for a bounded time, in bursts of pauses with the core given away between.
  template <class Ready> bool poll(Ready ready, std::int64_t budget_ns) noexcept {
    std::int64_t give_up = 0; // read the clock only once the first burst failed: it costs
    for (;;) {                // as much as a handoff
      for (int i = 0; i < kPauseBurst; ++i) {
        if (ready()) {
          return true;
        }
        relax();
      }
      const std::int64_t now = now_ns();
      if (give_up == 0) {
        give_up = now + budget_ns;
      } else if (now > give_up) {
        return ready();
      }
      yield_core();
    }
  }

  // Sleeps until woken (or spuriously); false once `deadline` has passed.
  bool sleep_until(Clock::time_point deadline) noexcept;
  static std::int64_t now_ns() noexcept;
  static void yield_core() noexcept;
  static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
  }

  // A burst of 16 pauses (under a microsecond) keeps a handoff to a polling thread at a
  // fraction of a microsecond, and the yield between bursts lets a granted thread that shares
  // the core run at once: an execution has its threads plus the controller, and a CI
  // machine has two cores. Measured on a 2-core VM with bench_figures: bursts of 4 slow the
  // handoff threefold; bursts of 64, or spinning on a spare core without yielding, lose a
  // third to a half of exec_per_s_counter.
  static constexpr int kPauseBurst = 16;
  // How long a waiter polls before it sleeps. Longer than the gap between two executions of
  // explore_interleavings (a few microseconds of RapidCheck and setup), so pooled threads are
  // still polling when the next execution starts.
  static constexpr std::int64_t kPollBudgetNs = 200'000;

  std::atomic<std::uint32_t> word_{kAwake};
};

} // namespace interlace::rt::detail
