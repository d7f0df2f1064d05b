// How one execution of an exploration ended.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interlace/rt/executor.hpp"
#include "interlace/rt/memory.hpp"

namespace interlace::detail {

// How one execution ended. Stopped: cut short by the exploration's deadline, no verdict.
// StrategyError: cut short because the strategy named a thread that could not run (a replay
// of a schedule that no longer fits the code, or a shrink candidate that does not apply).
// AssertionFailed: a test framework's assertion failed during it (see interlace/gtest.hpp).
enum class Verdict {
  Holds,
  InvariantViolated,
  AssertionFailed,
  Exception,
  Deadlock,
  Livelock,
  Timeout,
  Crash,
  Exit,
  Stopped,
  StrategyError, // the strategy made an impossible choice: the run says nothing of the code
  Discarded      // an interlace::assume() did not hold, or the search found the run redundant
};

Verdict verdict_of(const rt::Outcome &outcome);

// Everything recorded about one failing execution.
struct FailureRecord {
  Verdict verdict = Verdict::Holds;
  rt::Outcome outcome;
  std::vector<rt::StepRecord> trace;
  std::vector<int> schedule;
  std::vector<rt::WakeChoice> wake_choices; // the waiter choices that were not the first
  int preemptions = 0;
  std::string assertion; // AssertionFailed: "thread 1 failed a GoogleTest assertion at ..."
  std::vector<rt::Allocation> allocations; // by the setup, then by the threads
  const void *state = nullptr;             // the state object (kept alive as counterexample)
  std::uint64_t state_size = 0;
};

} // namespace interlace::detail
