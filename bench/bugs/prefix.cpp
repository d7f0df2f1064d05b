// Bugs after a long prefix: the racy accesses come after many steps that cannot fail, so a
// search must place its preemption deep in the execution (issue 13: a search that chooses only
// during the first few hundred steps never gets there).
#include "programs.hpp"

#include <initializer_list>
#include <memory>
#include <mutex>

namespace bugbench {
namespace {

// --- lost update after N steps per thread ------------------------------------------------
// Each thread does N loads and stores on its own cells, then increments the shared counter
// with a plain read and write: the update is lost when one thread is preempted between the
// two, after its N steps. The fixed variant increments under a lock.

struct PrefixCounter {
  std::mutex mutex;
  volatile int work[2][8] = {};
  int shared = 0;
};

template <bool Fixed>
InterleavingResultSummary lost_update(int steps, const interlace::ExploreOptions &o) {
  auto threads = threads_for<PrefixCounter>(2);
  for (const int i : {0, 1}) {
    threads.emplace_back([i, steps](PrefixCounter &s) {
      local_work(s.work[i], steps);
      std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
      if constexpr (Fixed) {
        lock.lock();
      }
      const int t = s.shared;
      s.shared = t + 1;
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<PrefixCounter>(); }, std::move(threads),
      [](const PrefixCounter &s) { return s.shared == 2; }, o));
}

// --- publication after a prefix -----------------------------------------------------------
// A producer does N steps of work, then publishes a message: it sets the ready flag before
// the message's length. Three consumers each do N steps of work of their own, then read the
// flag and, if it is set, the length. A consumer that reads between the producer's two stores
// sees a ready message without its length. The fixed producer stores the length first.

struct Publication {
  volatile int work[4][8] = {};
  int ready = 0;
  int length = 0;
  bool torn = false;
};

template <bool Fixed>
InterleavingResultSummary publish(int steps, const interlace::ExploreOptions &o) {
  auto threads = threads_for<Publication>(4);
  threads.emplace_back([steps](Publication &s) {
    local_work(s.work[0], steps);
    if constexpr (Fixed) {
      s.length = 3;
      keep_order();
      s.ready = 1;
    } else {
      s.ready = 1;
      keep_order();
      s.length = 3;
    }
  });
  for (int i = 1; i < 4; ++i) {
    threads.emplace_back([i, steps](Publication &s) {
      local_work(s.work[i], steps);
      const int ready = s.ready;
      keep_order();
      if (ready != 0 && s.length != 3) {
        s.torn = true;
      }
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Publication>(); }, std::move(threads),
      [](const Publication &s) { return !s.torn; }, o));
}

} // namespace

void add_prefix_programs(std::vector<BugProgram> &programs) {
  const char *needs = "one preemption between a thread's read and write, after its prefix";
  programs.push_back({"lost_update_20", "long prefix: lost update after 20 steps per thread", needs,
                      Failure::invariant, [](auto &o) { return lost_update<false>(20, o); },
                      [](auto &o) { return lost_update<true>(20, o); }});
  programs.push_back({"lost_update_80", "long prefix: lost update after 80 steps per thread", needs,
                      Failure::invariant, [](auto &o) { return lost_update<false>(80, o); },
                      [](auto &o) { return lost_update<true>(80, o); }});
  programs.push_back({"lost_update_160", "long prefix: lost update after 160 steps per thread",
                      needs, Failure::invariant, [](auto &o) { return lost_update<false>(160, o); },
                      [](auto &o) { return lost_update<true>(160, o); }});
  programs.push_back({"lost_update_320", "long prefix: lost update after 320 steps per thread",
                      needs, Failure::invariant, [](auto &o) { return lost_update<false>(320, o); },
                      [](auto &o) { return lost_update<true>(320, o); }});
  programs.push_back({"publish_80", "long prefix: flag set before the data, after 80 steps",
                      "a consumer reads between the producer's flag and data stores",
                      Failure::invariant, [](auto &o) { return publish<false>(80, o); },
                      [](auto &o) { return publish<true>(80, o); }});
}

} // namespace bugbench
