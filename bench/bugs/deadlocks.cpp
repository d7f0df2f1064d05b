// Deadlocks that need a specific lock order: each thread holds one lock and waits for the
// next. A switch away from a thread that blocks costs no preemption, so one preemption right
// after a first lock is enough, if the other threads then take their first locks in the right
// order: the depth of these bugs is in orderings, not in preemptions.
#include "programs.hpp"

#include <memory>
#include <mutex>
#include <utility>

namespace bugbench {
namespace {

// --- lock-order inversion among N threads -------------------------------------------------
// Thread i does its own work, then locks lock i and lock i + 1 (mod N) and updates the data
// they guard. The locks form a cycle, so the threads deadlock when each takes its first lock
// before its predecessor in the cycle takes its second: one thread is preempted right after
// its first lock, and the others take theirs in reverse order before it resumes (N - 1
// orderings). The fixed threads take the lower-numbered lock first.

struct Locks {
  std::mutex locks[3];
  int guarded[3] = {};
  volatile int work[3][8] = {};
};

template <bool Fixed>
InterleavingResultSummary lock_order(int n, int steps, const interlace::ExploreOptions &o) {
  auto threads = threads_for<Locks>(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([i, n, steps](Locks &s) {
      local_work(s.work[i], steps);
      int first = i;
      int second = (i + 1) % n;
      if (Fixed && second < first) {
        std::swap(first, second);
      }
      const std::lock_guard<std::mutex> l1(s.locks[first]);
      const std::lock_guard<std::mutex> l2(s.locks[second]);
      ++s.guarded[i];
    });
  }
  return summarize(interlace::explore_interleavings([] { return std::make_unique<Locks>(); },
                                                    std::move(threads),
                                                    [n](const Locks &s) {
                                                      for (int i = 0; i < n; ++i) {
                                                        if (s.guarded[i] != 1) {
                                                          return false;
                                                        }
                                                      }
                                                      return true;
                                                    },
                                                    o));
}

// --- dining philosophers -----------------------------------------------------------------
// Five philosophers each take the fork on their left, then the one on their right, eat, and
// put both down. They deadlock when all five hold their left fork: one philosopher preempted
// right after taking it, and the other four taking theirs, each before their right-hand
// neighbour finishes (four orderings among five threads). The fixed last philosopher takes
// their right fork first.

struct Table {
  std::mutex forks[5];
  int meals[5] = {};
};

template <bool Fixed> InterleavingResultSummary dining(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Table>(5);
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([i](Table &t) {
      int first = i;
      int second = (i + 1) % 5;
      if (Fixed && second < first) {
        std::swap(first, second);
      }
      const std::lock_guard<std::mutex> l1(t.forks[first]);
      const std::lock_guard<std::mutex> l2(t.forks[second]);
      ++t.meals[i];
    });
  }
  return summarize(interlace::explore_interleavings([] { return std::make_unique<Table>(); },
                                                    std::move(threads),
                                                    [](const Table &t) {
                                                      for (const int meals : t.meals) {
                                                        if (meals != 1) {
                                                          return false;
                                                        }
                                                      }
                                                      return true;
                                                    },
                                                    o));
}

} // namespace

void add_deadlock_programs(std::vector<BugProgram> &programs) {
  programs.push_back(
      {"lock_order_2", "deadlock: lock-order inversion, 2 threads",
       "a preemption right after one thread's first lock, the other thread's first lock next",
       Failure::deadlock, [](auto &o) { return lock_order<false>(2, 0, o); },
       [](auto &o) { return lock_order<true>(2, 0, o); }});
  programs.push_back(
      {"lock_order_3", "deadlock: lock-order cycle, 3 threads",
       "each thread takes its first lock before its predecessor in the cycle takes its second",
       Failure::deadlock, [](auto &o) { return lock_order<false>(3, 0, o); },
       [](auto &o) { return lock_order<true>(3, 0, o); }});
  programs.push_back({"lock_order_deep", "deadlock: lock-order inversion after 100 steps",
                      "a preemption right after one thread's first lock, after its prefix",
                      Failure::deadlock, [](auto &o) { return lock_order<false>(2, 100, o); },
                      [](auto &o) { return lock_order<true>(2, 100, o); }});
  programs.push_back({"dining_5", "deadlock: dining philosophers, 5 threads",
                      "all five philosophers hold their left fork: one preemption, four orderings",
                      Failure::deadlock, [](auto &o) { return dining<false>(o); },
                      [](auto &o) { return dining<true>(o); }});
}

} // namespace bugbench
