// Index races in concurrent data structures: a work-stealing deque and a circular buffer.
#include "programs.hpp"

#include <atomic>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace bugbench {
namespace {

// --- work stealing: the owner takes the last item without claiming it ---------------------
// A Chase-Lev style deque: the owner pushes and pops at the bottom without a lock, thieves
// steal from the top under a lock. Only the last item can be wanted by both; the owner must
// claim it against the thieves (compare-and-swap on top, here: under the thieves' lock), but
// the buggy owner just writes top. A thief that read top and bottom before the owner took the
// last item, and writes top after, takes it a second time. Each item must be taken once.

struct Deque {
  std::mutex steal_mutex;
  int items[3] = {};
  int top = 0;
  int bottom = 0;
  int owner_took[3] = {};
  int thief_took[2][3] = {};
};

void push(Deque &d, int item) {
  const int b = d.bottom;
  d.items[b] = item;
  keep_order();
  d.bottom = b + 1;
}

template <bool Fixed> int pop(Deque &d) {
  const int b = d.bottom - 1;
  d.bottom = b;
  keep_order();
  const int t = d.top;
  if (t > b) {
    d.bottom = t;
    return -1;
  }
  const int item = d.items[b];
  if (t < b) {
    return item; // not the last item: no thief can reach it
  }
  if constexpr (Fixed) {
    const std::lock_guard<std::mutex> lock(d.steal_mutex);
    const bool won = d.top == t;
    if (won) {
      d.top = t + 1;
    }
    d.bottom = t + 1;
    return won ? item : -1;
  } else {
    d.top = t + 1;
    keep_order();
    d.bottom = t + 1;
    return item;
  }
}

int steal(Deque &d) {
  const std::lock_guard<std::mutex> lock(d.steal_mutex);
  const int t = d.top;
  keep_order();
  const int b = d.bottom;
  if (t >= b) {
    return -1;
  }
  const int item = d.items[t];
  d.top = t + 1;
  return item;
}

template <bool Fixed> InterleavingResultSummary work_stealing(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Deque>(3);
  threads.emplace_back([](Deque &d) {
    for (int item = 0; item < 3; ++item) {
      push(d, item);
    }
    for (int i = 0; i < 3; ++i) {
      if (const int item = pop<Fixed>(d); item >= 0) {
        ++d.owner_took[item];
      }
    }
  });
  for (const int thief : {0, 1}) {
    threads.emplace_back([thief](Deque &d) {
      if (const int item = steal(d); item >= 0) {
        ++d.thief_took[thief][item];
      }
    });
  }
  return summarize(interlace::explore_interleavings(
      [] { return std::make_unique<Deque>(); }, std::move(threads),
      [](const Deque &d) {
        for (int item = 0; item < 3; ++item) {
          if (d.owner_took[item] + d.thief_took[0][item] + d.thief_took[1][item] != 1) {
            return false;
          }
        }
        return true;
      },
      o));
}

// --- circular buffer: the element count is updated with a plain read and write -----------
// A single-producer single-consumer ring of 4 slots. The producer writes a slot, then counts
// it; the consumer reads a slot when the count is positive, clears it, then uncounts it. The
// count is a plain int that both update with a read and a write, so an update can be lost:
// then the consumer reads a cleared slot, or the producer finds the ring full and drops a
// value, and the consumer throws when a value is not the next one. The fixed count is atomic.

struct Ring {
  int slots[4] = {};
  int head = 0;
  int tail = 0;
  int count = 0;
  std::atomic<int> atomic_count{0};
  int last = 0;
};

template <bool Fixed> int count_of(const Ring &r) {
  if constexpr (Fixed) {
    return r.atomic_count.load();
  } else {
    return r.count;
  }
}

template <bool Fixed> void add_count(Ring &r, int delta) {
  keep_order();
  if constexpr (Fixed) {
    r.atomic_count.fetch_add(delta);
  } else {
    const int c = r.count;
    r.count = c + delta;
  }
  keep_order();
}

template <bool Fixed> InterleavingResultSummary ring_buffer(const interlace::ExploreOptions &o) {
  auto threads = threads_for<Ring>(2);
  threads.emplace_back([](Ring &r) {
    for (int value = 1; value <= 4; ++value) {
      if (count_of<Fixed>(r) < 4) {
        r.slots[r.tail % 4] = value;
        r.tail = r.tail + 1;
        add_count<Fixed>(r, 1);
      }
    }
  });
  threads.emplace_back([](Ring &r) {
    for (int poll = 0; poll < 6; ++poll) {
      if (count_of<Fixed>(r) > 0) {
        const int value = r.slots[r.head % 4];
        r.slots[r.head % 4] = 0;
        r.head = r.head + 1;
        add_count<Fixed>(r, -1);
        if (value != r.last + 1) {
          throw std::logic_error("ring buffer: read " + std::to_string(value) + " after " +
                                 std::to_string(r.last));
        }
        r.last = value;
      }
    }
  });
  return summarize(interlace::explore_interleavings([] { return std::make_unique<Ring>(); },
                                                    std::move(threads),
                                                    [](const Ring &) { return true; }, o));
}

} // namespace

void add_structure_programs(std::vector<BugProgram> &programs) {
  programs.push_back({"work_stealing", "index race: work-stealing deque, last item",
                      "a thief reads top and bottom, the owner pops the last item, the thief "
                      "takes it too",
                      Failure::invariant, [](auto &o) { return work_stealing<false>(o); },
                      [](auto &o) { return work_stealing<true>(o); }});
  programs.push_back({"ring_buffer", "index race: circular buffer with a racy count",
                      "a preemption inside the producer's or consumer's count update",
                      Failure::exception, [](auto &o) { return ring_buffer<false>(o); },
                      [](auto &o) { return ring_buffer<true>(o); }});
}

} // namespace bugbench
