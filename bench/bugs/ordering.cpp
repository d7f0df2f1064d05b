// Ordering bugs: the failure needs a few specific steps of several threads in one order, while
// the other threads' steps are noise that a search must not let in between.
#include "programs.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>

namespace bugbench {
namespace {

// --- reorder: N setters write a pair, one checker reads it -------------------------------
// Each setter writes a = 1, then b = -1. The checker reads a, then b, and expects either the
// initial pair (0, 0) or the final one (1, -1). It sees (1, 0) only if it reads a after the
// first setter wrote it and b before any setter wrote b: the checker must run inside the
// first setter, and no setter that wrote a may reach its second store meanwhile. The fixed
// setters and checker write and read the pair under a lock.

struct Reorder {
  std::mutex mutex;
  int a = 0;
  int b = 0;
  bool inconsistent = false;
};

template <bool Fixed>
InterleavingResultSummary reorder(int setters, const interlace::ExploreOptions &o) {
  auto threads = threads_for<Reorder>(setters + 1);
  for (int i = 0; i < setters; ++i) {
    threads.emplace_back([](Reorder &s) {
      std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
      if constexpr (Fixed) {
        lock.lock();
      }
      s.a = 1;
      keep_order();
      s.b = -1;
    });
  }
  threads.emplace_back([](Reorder &s) {
    std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
    if constexpr (Fixed) {
      lock.lock();
    }
    const int a = s.a;
    keep_order();
    const int b = s.b;
    if (!((a == 0 && b == 0) || (a == 1 && b == -1))) {
      s.inconsistent = true;
    }
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Reorder>(); }, std::move(threads),
      [](const Reorder &s) { return !s.inconsistent; }, o));
}

// --- twostage: N writers publish in two critical sections, one reader checks both --------
// A writer sets data1 under m1, then data2 = data1 + 1 under m2. The reader reads data1 under
// m1, then data2 under m2, and expects data2 == data1 + 1 once data1 is set. It fails only
// between the first writer's two critical sections, before any writer finished its second.
// The fixed writers and reader hold m1 across both stages.

struct TwoStage {
  std::mutex m1;
  std::mutex m2;
  int data1 = 0;
  int data2 = 0;
  bool inconsistent = false;
};

template <bool Fixed>
InterleavingResultSummary twostage(int writers, const interlace::ExploreOptions &o) {
  auto threads = threads_for<TwoStage>(writers + 1);
  for (int i = 0; i < writers; ++i) {
    threads.emplace_back([](TwoStage &s) {
      std::unique_lock<std::mutex> l1(s.m1);
      s.data1 = 1;
      if constexpr (!Fixed) {
        l1.unlock();
      }
      const std::lock_guard<std::mutex> l2(s.m2);
      s.data2 = s.data1 + 1;
    });
  }
  threads.emplace_back([](TwoStage &s) {
    std::unique_lock<std::mutex> l1(s.m1);
    const int data1 = s.data1;
    if constexpr (!Fixed) {
      l1.unlock();
    }
    const std::lock_guard<std::mutex> l2(s.m2);
    if (data1 != 0 && s.data2 != data1 + 1) {
      s.inconsistent = true;
    }
  });
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<TwoStage>(); }, std::move(threads),
      [](const TwoStage &s) { return !s.inconsistent; }, o));
}

// --- token ring: a token passed backwards around N workers -------------------------------
// The token starts at slot[N]. Worker i does some work, takes the token from slot[i + 1] if it
// is there and puts it, one hop older, into slot[i], then works on. Worker 0 asserts that the
// token never completes the ring in one round: it does only if the workers' hops run in the
// reverse of their creation order, N - 1 orderings between N threads. In the fixed variant
// each worker waits for its predecessor's hop (a turn counter under a lock and a condition
// variable), so the hops run in creation order and the token moves one slot at most.

template <int Workers> struct TokenRing {
  std::mutex mutex;
  std::condition_variable turn_changed;
  int turn = 0;
  int slot[Workers + 1] = {};
  volatile int work[Workers][8] = {};
  bool lapped = false;
};

template <bool Fixed, int Workers>
InterleavingResultSummary token_ring(int work, const interlace::ExploreOptions &o) {
  using Ring = TokenRing<Workers>;
  auto threads = threads_for<Ring>(Workers);
  for (int i = 0; i < Workers; ++i) {
    threads.emplace_back([i, work](Ring &s) {
      local_work(s.work[i], work);
      std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
      if constexpr (Fixed) {
        lock.lock();
        s.turn_changed.wait(lock, [&] { return s.turn == i; });
      }
      const int token = s.slot[i + 1];
      if (token != 0) {
        s.slot[i] = token + 1;
      }
      if (i == 0 && s.slot[0] == Workers + 1) {
        s.lapped = true;
      }
      if constexpr (Fixed) {
        s.turn = i + 1;
        lock.unlock();
        s.turn_changed.notify_all();
      }
      local_work(s.work[i], work);
    });
  }
  return summarize(interlace::explore_interleavings(
      [] {
        auto ring = std::make_unique<Ring>();
        ring->slot[Workers] = 1;
        return ring;
      },
      std::move(threads), [](const Ring &s) { return !s.lapped; }, o));
}

// --- ping-pong: a monitor that must not see every stage of a writer ----------------------
// The writer moves `stage` through 1..K, one store each; the monitor samples it K times and
// fails if it saw exactly 1, 2, ..., K: the two threads alternated at every step, 2K - 1
// context switches, while bystander threads do work of their own. The fixed monitor samples
// under the lock the writer holds for all its stages, so it sees 0 or K.

template <int Stages> struct PingPong {
  std::mutex mutex;
  volatile int stage = 0;
  int seen[Stages] = {};
  volatile int work[4][8] = {};
};

template <bool Fixed, int Stages>
InterleavingResultSummary pingpong(int bystanders, const interlace::ExploreOptions &o) {
  using State = PingPong<Stages>;
  auto threads = threads_for<State>(2 + bystanders);
  threads.emplace_back([](State &s) {
    std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
    if constexpr (Fixed) {
      lock.lock();
    }
    for (int i = 1; i <= Stages; ++i) {
      s.stage = i;
    }
  });
  threads.emplace_back([](State &s) {
    for (int i = 0; i < Stages; ++i) {
      std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
      if constexpr (Fixed) {
        lock.lock();
      }
      s.seen[i] = s.stage;
    }
  });
  for (int b = 0; b < bystanders; ++b) {
    threads.emplace_back([b](State &s) { local_work(s.work[b], 20); });
  }
  return summarize(interlace::explore_interleavings([] { return std::make_unique<State>(); },
                                                    std::move(threads),
                                                    [](const State &s) {
                                                      for (int i = 0; i < Stages; ++i) {
                                                        if (s.seen[i] != i + 1) {
                                                          return true;
                                                        }
                                                      }
                                                      return false;
                                                    },
                                                    o));
}

} // namespace

void add_ordering_programs(std::vector<BugProgram> &programs) {
  const char *reorder_needs = "the checker runs between one setter's two stores";
  programs.push_back({"reorder_5", "ordering: reorder (5 setters, 1 checker)", reorder_needs,
                      Failure::invariant, [](auto &o) { return reorder<false>(5, o); },
                      [](auto &o) { return reorder<true>(5, o); }});
  programs.push_back({"reorder_20", "ordering: reorder (20 setters, 1 checker)", reorder_needs,
                      Failure::invariant, [](auto &o) { return reorder<false>(20, o); },
                      [](auto &o) { return reorder<true>(20, o); }});
  programs.push_back({"twostage_10", "ordering: twostage (10 writers, 1 reader)",
                      "the reader's two critical sections fall between the first writer's two",
                      Failure::invariant, [](auto &o) { return twostage<false>(10, o); },
                      [](auto &o) { return twostage<true>(10, o); }});
  programs.push_back({"token_ring_4", "ordering: token ring (4 workers)",
                      "the 4 workers' hops run in reverse creation order (3 orderings)",
                      Failure::invariant, [](auto &o) { return token_ring<false, 4>(10, o); },
                      [](auto &o) { return token_ring<true, 4>(10, o); }});
  programs.push_back({"token_ring_6", "ordering: token ring (6 workers)",
                      "the 6 workers' hops run in reverse creation order (5 orderings)",
                      Failure::invariant, [](auto &o) { return token_ring<false, 6>(10, o); },
                      [](auto &o) { return token_ring<true, 6>(10, o); }});
  programs.push_back({"pingpong_2", "ordering: alternation (2 stages, 2 bystanders)",
                      "writer and monitor alternate at every step: 3 context switches",
                      Failure::invariant, [](auto &o) { return pingpong<false, 2>(2, o); },
                      [](auto &o) { return pingpong<true, 2>(2, o); }});
  programs.push_back({"pingpong_3", "ordering: alternation (3 stages, 2 bystanders)",
                      "writer and monitor alternate at every step: 5 context switches",
                      Failure::invariant, [](auto &o) { return pingpong<false, 3>(2, o); },
                      [](auto &o) { return pingpong<true, 3>(2, o); }});
}

} // namespace bugbench
