// The explanation of an exploration's result: a verdict line, the interleaved source trace
// of the counterexample, and how to replay it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "verdict.hpp"

namespace interlace::detail {

struct ExplanationInput {
  std::uint64_t seed = 0;
  int num_explored = 0;
  int max_attempts = 0;
  int unique_interleavings = 0;
  bool shrunk = false;
  bool from_replay_token = false;
  bool stopped_by_timeout = false;
  bool saw_yield_points = true;
  const FailureRecord *failure = nullptr; // null: the property held
  int reproduction_attempts = 0;
  int reproduction_successes = 0;
  std::string replay_token;
  std::string rerun_command;
};

std::string explain(const ExplanationInput &input);

// The interleaved trace: one line per executed source line while the same thread stays on
// it, showing only accesses to locations that two threads touched with at least one write
// (every step with a source location if there are none).
std::string render_trace(std::span<const rt::StepRecord> trace);

} // namespace interlace::detail
