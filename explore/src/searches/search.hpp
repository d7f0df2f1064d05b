// The search interface: a search owns the loop over executions. The explorer asks it for the
// strategy that drives the next execution, runs that execution, and tells the search what
// happened; the search says when it has nothing more to try. Each search is one file in this
// folder (random, pct, pos, surw, and the portfolio that interleaves them); a strategy sees
// every decision of its execution itself (the runnable set, each thread's announced step), so
// a search learns whatever else it needs from its own strategies.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "interlace/explore.hpp"
#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/event.hpp"
#include "interlace/rt/memory.hpp"
#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

// What a search is told about an execution its strategy drove.
struct ExecutionResult {
  std::span<const int> schedule;         // the thread of every executed step
  std::span<const rt::StepRecord> trace; // every executed step
  int num_threads = 0;                   // threads in the execution, spawned ones included
  bool failed = false;                   // the execution failed (the search will be stopped)
  bool discarded = false; // cut short by interlace::assume() or the strategy's kDiscard
};

// Where an execution's memory is, so that a search can name a location the same way in every
// execution even when the allocator places it elsewhere: the state object, then the setup's
// allocations, then the threads' in the order they made them. The explorer updates it before
// each execution starts; the run log grows while it runs.
struct MemoryLayout {
  const void *state = nullptr;
  std::uint64_t state_size = 0;
  const std::vector<rt::Allocation> *setup = nullptr;
  const std::vector<rt::Allocation> *run = nullptr;
};

// What every search is built from.
struct SearchParams {
  std::uint64_t seed = 0; // the exploration's seed: the same seed, the same executions
  int pct_depth = 3;      // ExploreOptions::pct_depth
  std::optional<int> preemption_bound;
  std::uint64_t max_steps = 100000; // ExploreOptions::max_steps: the longest execution
  int max_attempts = 200;           // ExploreOptions::max_attempts (after INTERLACE_MAX_ATTEMPTS)
  bool shrink = true;               // ExploreOptions::shrink
  const MemoryLayout *memory = nullptr; // null: addresses are taken as they are
};

class ScheduleSearch {
public:
  virtual ~ScheduleSearch() = default;

  // Which search this is; a portfolio answers for the member that drove the last execution.
  virtual Search kind() const = 0;

  // The strategy for the next execution, or null when the search has nothing more to try.
  // The strategy stays valid until the next call, or until the search is destroyed.
  virtual rt::Strategy *next_strategy() = 0;

  // What the execution driven by the last strategy did. Not called for an execution that
  // was stopped before it ended (the exploration's deadline).
  virtual void observe(const ExecutionResult &result) { (void)result; }

  // True once next_strategy() returned null because every interleaving was covered.
  virtual bool exhaustive() const { return false; }

  // The search that drove the last execution, when it shrinks its own failures (see
  // random.hpp); null for the others, whose failures the explorer shrinks.
  virtual class SelfShrinkingSearch *self_shrinking() { return nullptr; }
};

// A per-execution seed: the i-th execution of a search seeded `seed`.
constexpr std::uint64_t execution_seed(std::uint64_t seed, std::uint64_t execution) {
  return rt::splitmix64(seed ^ rt::splitmix64(execution));
}

} // namespace interlace::detail
