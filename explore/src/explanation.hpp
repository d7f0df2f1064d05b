// The explanation of an exploration's result: a verdict line, what kind of race it is, the
// interleaved source trace of the counterexample, and how to replay it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "trace_model.hpp"
#include "verdict.hpp"

namespace interlace::detail {

struct ExplanationInput {
  std::uint64_t seed = 0;
  std::string search; // "pct", or "automatic: pct" for the portfolio's member that found it
  int num_explored = 0;
  int max_attempts = 0;
  int unique_interleavings = 0;
  int num_discarded = 0;   // executions cut short by interlace::assume() or as redundant
  bool exhaustive = false; // the search covered every interleaving
  std::string bound;       // what bounded an exhaustive search ("at most 2 preemptions"), if any
  bool shrunk = false;
  int max_steps = 0;       // ExploreOptions::max_steps, named by a livelock's report
  int shrink_attempts = 0; // executions spent shrinking
  std::string shrink_stop; // the budget that ended shrinking early, if one did
  bool from_replay_token = false;
  bool stopped_by_timeout = false;
  bool saw_yield_points = true;
  bool verbose = false;                   // INTERLACE_VERBOSE: every step, not just conflicts
  const FailureRecord *failure = nullptr; // null: the property held
  int reproduction_attempts = 0;
  int reproduction_successes = 0;
  std::string divergence; // where a replay first differed, if one did
  std::string replay_token;
  std::string rerun_command;
  std::string trace_file;                    // where INTERLACE_TRACE_OUT was written, if it was
  std::span<const std::string> thread_names; // "thread N" beyond its end
};

std::string explain(const ExplanationInput &input);

// The numbered trace lines of a model, with long traces elided in the middle.
std::string render_trace(const TraceModel &model, std::span<const std::string> thread_names = {});

// The memory context of a failure record, for naming objects.
MemoryContext memory_of(const FailureRecord &failure);

} // namespace interlace::detail
