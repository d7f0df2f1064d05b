#include "schedule_reorder.hpp"

#include <algorithm>
#include <cstddef>
#include <unordered_map>

namespace interlace::detail {
namespace {

bool is_barrier(rt::EventKind kind) {
  return kind == rt::EventKind::Spawn || kind == rt::EventKind::Join ||
         kind == rt::EventKind::Detach;
}

// The accesses to one address so far: the last writing step, and the steps reading it since.
struct Location {
  std::ptrdiff_t last_write = -1;
  std::vector<std::size_t> reads;
};

} // namespace

std::vector<int> reorder_by_thread(std::span<const rt::StepRecord> trace) {
  const std::size_t steps = trace.size();
  int threads = 0;
  for (const rt::StepRecord &step : trace) {
    threads = std::max(threads, step.thread + 1);
  }
  // The trace indexes of each step's conflicting predecessors in other threads.
  std::vector<std::vector<std::size_t>> after(steps);
  std::unordered_map<const void *, Location> locations; // looked up only, never iterated
  std::ptrdiff_t last_barrier = -1;
  std::vector<std::ptrdiff_t> last_of_thread(static_cast<std::size_t>(threads), -1);
  for (std::size_t i = 0; i < steps; ++i) {
    const rt::StepRecord &step = trace[i];
    std::vector<std::size_t> &deps = after[i];
    if (last_barrier >= 0) {
      deps.push_back(static_cast<std::size_t>(last_barrier));
    }
    if (is_barrier(step.event.kind)) {
      for (const std::ptrdiff_t last : last_of_thread) {
        if (last >= 0) {
          deps.push_back(static_cast<std::size_t>(last));
        }
      }
      last_barrier = static_cast<std::ptrdiff_t>(i);
    }
    const bool memory = rt::is_memory_access(step.event.kind);
    const bool sync = rt::is_synchronisation(step.event.kind);
    if ((memory || sync) && step.event.addr != nullptr) {
      Location &location = locations[step.event.addr];
      if (location.last_write >= 0) {
        deps.push_back(static_cast<std::size_t>(location.last_write));
      }
      if (sync || rt::is_write(step.event.kind)) {
        deps.insert(deps.end(), location.reads.begin(), location.reads.end());
        location.last_write = static_cast<std::ptrdiff_t>(i);
        location.reads.clear();
      } else {
        location.reads.push_back(i);
      }
    }
    last_of_thread[static_cast<std::size_t>(step.thread)] = static_cast<std::ptrdiff_t>(i);
  }

  // Each thread's steps in order, and how many of them have been placed.
  std::vector<std::vector<std::size_t>> own(static_cast<std::size_t>(threads));
  for (std::size_t i = 0; i < steps; ++i) {
    own[static_cast<std::size_t>(trace[i].thread)].push_back(i);
  }
  std::vector<std::size_t> placed_of(static_cast<std::size_t>(threads), 0);
  std::vector<bool> placed(steps, false);
  const auto ready = [&](int thread) {
    const auto t = static_cast<std::size_t>(thread);
    if (placed_of[t] == own[t].size()) {
      return false;
    }
    const std::size_t next = own[t][placed_of[t]];
    return std::ranges::all_of(after[next], [&](std::size_t dep) { return placed[dep]; });
  };
  std::vector<int> schedule;
  schedule.reserve(steps);
  int current = steps > 0 ? trace[0].thread : 0;
  while (schedule.size() < steps) {
    if (!ready(current)) {
      // The thread whose next step came first in the trace: its predecessors all came before
      // it there, so they have been placed or are its own.
      std::size_t earliest = steps;
      for (int thread = 0; thread < threads; ++thread) {
        const auto t = static_cast<std::size_t>(thread);
        if (ready(thread) && own[t][placed_of[t]] < earliest) {
          earliest = own[t][placed_of[t]];
          current = thread;
        }
      }
      if (earliest == steps) {
        return {}; // cannot happen: the trace's first unplaced step is always ready
      }
    }
    const auto t = static_cast<std::size_t>(current);
    placed[own[t][placed_of[t]]] = true;
    ++placed_of[t];
    schedule.push_back(current);
  }
  return schedule;
}

} // namespace interlace::detail
