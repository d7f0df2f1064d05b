// Lost wakeups: a condition variable is signalled when no one waits yet, or a woken waiter
// does not check its condition again, because a wait is not in a predicate loop.
#include "programs.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace bugbench {
namespace {

// --- lost wakeup: the flag is checked outside the lock -----------------------------------
// Two waiters check the ready flag without the lock and, if it is not set, lock and wait
// once. The signaller does 30 steps of work, then sets the flag under the lock and notifies
// all. A waiter preempted between its check and its lock until the signaller is done misses
// the notification and waits forever: a deadlock. The fixed waiters check the flag under the
// lock, in a loop around the wait.

struct Signal {
  std::mutex mutex;
  std::condition_variable cv;
  int ready = 0;
  int woken = 0;
  volatile int work[8] = {};
};

template <bool Fixed> InterleavingResultSummary lost_wakeup(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Signal>(3);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Signal &s) {
      if constexpr (Fixed) {
        std::unique_lock<std::mutex> lock(s.mutex);
        s.cv.wait(lock, [&] { return s.ready != 0; });
        ++s.woken;
        return;
      }
      if (s.ready == 0) {
        std::unique_lock<std::mutex> lock(s.mutex);
        s.cv.wait(lock);
      }
      const std::lock_guard<std::mutex> lock(s.mutex);
      ++s.woken;
    });
  }
  threads.emplace_back([](Signal &s) {
    local_work(s.work, 30);
    {
      const std::lock_guard<std::mutex> lock(s.mutex);
      s.ready = 1;
    }
    s.cv.notify_all();
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Signal>(); }, std::move(threads),
      [](const Signal &s) { return s.woken == 2; }, o));
}

// --- stolen wakeup: `if` where `while` belongs -------------------------------------------
// A producer queues two items, notifying one consumer after each. Two consumers each wait
// once if the queue is empty, then take an item without checking again. A consumer woken for
// an item that the other consumer took first (it locked before the woken one) finds the queue
// empty and throws. The fixed consumers wait in a loop until the queue has an item.

struct Queue {
  std::mutex mutex;
  std::condition_variable cv;
  int items[2] = {};
  int head = 0;
  int tail = 0;
  int taken = 0;
};

template <bool Fixed> InterleavingResultSummary stolen_wakeup(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Queue>(3);
  threads.emplace_back([](Queue &q) {
    for (int item = 1; item <= 2; ++item) {
      {
        const std::lock_guard<std::mutex> lock(q.mutex);
        q.items[q.tail] = item;
        q.tail = q.tail + 1;
      }
      q.cv.notify_one();
    }
  });
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([](Queue &q) {
      std::unique_lock<std::mutex> lock(q.mutex);
      if constexpr (Fixed) {
        q.cv.wait(lock, [&] { return q.head != q.tail; });
      } else if (q.head == q.tail) {
        q.cv.wait(lock);
      }
      if (q.head == q.tail) {
        throw std::logic_error("consumer woken to an empty queue");
      }
      q.taken += q.items[q.head];
      q.head = q.head + 1;
    });
  }
  return summarize(
      interlace::explore_interleavings([] { return std::make_unique<Queue>(); }, std::move(threads),
                                       [](const Queue &q) { return q.taken == 3; }, o));
}

// --- barrier: arrive in one critical section, wait in the next ---------------------------
// A hand-made barrier for three threads, two of which do 20 steps of work first: each counts
// its arrival under the lock; the last one notifies all, the others lock again and wait once.
// An early arriver preempted between its two critical sections, while the last one arrives
// and notifies, waits forever. The fixed barrier arrives and waits in one critical section,
// in a loop on the count.

struct Barrier {
  std::mutex mutex;
  std::condition_variable cv;
  int arrived = 0;
  int passed = 0;
  volatile int work[3][8] = {};
};

template <bool Fixed> InterleavingResultSummary barrier(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Barrier>(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([i](Barrier &b) {
      local_work(b.work[i], i == 0 ? 0 : 20);
      if constexpr (Fixed) {
        std::unique_lock<std::mutex> lock(b.mutex);
        b.arrived = b.arrived + 1;
        if (b.arrived == 3) {
          b.cv.notify_all();
        } else {
          b.cv.wait(lock, [&] { return b.arrived == 3; });
        }
        ++b.passed;
        return;
      }
      int arrived = 0;
      {
        const std::lock_guard<std::mutex> lock(b.mutex);
        arrived = b.arrived + 1;
        b.arrived = arrived;
      }
      if (arrived == 3) {
        b.cv.notify_all();
      } else {
        std::unique_lock<std::mutex> lock(b.mutex);
        b.cv.wait(lock);
      }
      const std::lock_guard<std::mutex> lock(b.mutex);
      ++b.passed;
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Barrier>(); }, std::move(threads),
      [](const Barrier &b) { return b.passed == 3; }, o));
}

} // namespace

void add_wakeup_programs(std::vector<BugProgram> &programs) {
  programs.push_back({"lost_wakeup", "lost wakeup: flag checked outside the lock",
                      "the signaller runs between a waiter's check and its wait", Failure::deadlock,
                      [](auto &o) { return lost_wakeup<false>(o); },
                      [](auto &o) { return lost_wakeup<true>(o); }});
  programs.push_back({"stolen_wakeup", "lost wakeup: `if` instead of a predicate loop",
                      "a consumer takes the item another consumer was woken for",
                      Failure::exception, [](auto &o) { return stolen_wakeup<false>(o); },
                      [](auto &o) { return stolen_wakeup<true>(o); }});
  programs.push_back({"barrier", "lost wakeup: barrier that arrives and waits apart",
                      "the last thread arrives between an early one's arrival and its wait",
                      Failure::deadlock, [](auto &o) { return barrier<false>(o); },
                      [](auto &o) { return barrier<true>(o); }});
}

} // namespace bugbench
