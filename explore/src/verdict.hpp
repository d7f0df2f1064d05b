// How one execution of an exploration ended.
#pragma once

#include <vector>

#include "interlace/rt/executor.hpp"

namespace interlace::detail {

// How one execution ended. Stopped: cut short by the exploration's deadline, no verdict.
enum class Verdict { Holds, InvariantViolated, Exception, Deadlock, Livelock, Timeout, Stopped };

Verdict verdict_of(const rt::Outcome &outcome);

// Everything recorded about one failing execution.
struct FailureRecord {
  Verdict verdict = Verdict::Holds;
  rt::Outcome outcome;
  std::vector<rt::StepRecord> trace;
  std::vector<int> schedule;
  int preemptions = 0;
};

} // namespace interlace::detail
