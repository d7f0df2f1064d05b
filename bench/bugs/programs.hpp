// The bug-finding benchmark's programs: small concurrent programs written for this benchmark,
// each with one bug of a classic shape from the literature (SCTBench, Thomson et al., TOPC
// 2016; the PCT, POS and SURW papers). A program is a state struct, thread bodies and an
// invariant, run with explore_interleavings; it fails the way the explorer recognises: the
// invariant is false, a thread throws, or the threads deadlock. Each program also has a fixed
// variant of the same shape, which must hold on every schedule (no false positives).
#pragma once

#include <interlace/explore.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bugbench {

// How a program's bug shows when a schedule finds it.
enum class Failure {
  invariant, // the invariant is false after the threads end
  exception, // a thread throws
  deadlock,  // every thread waits
};

// "invariant", "exception", "deadlock".
const char *to_string(Failure failure);

// What one exploration of a program found.
struct InterleavingResultSummary {
  bool found = false;      // a failing schedule was found
  int num_explored = 0;    // schedules run, the failing one included
  std::string explanation; // the explorer's text; its first line names the failure
  interlace::Search search = interlace::Search::automatic; // the search that found it
};

template <class State>
InterleavingResultSummary summarize(interlace::InterleavingResult<State> result) {
  return {!result.property_holds, result.num_explored, std::move(result.explanation),
          result.search};
}

using ProgramRun = std::function<InterleavingResultSummary(const interlace::ExploreOptions &)>;

struct BugProgram {
  const char *name;
  const char *shape; // the family in the literature
  const char *needs; // what a schedule must do to fail
  Failure failure;   // how the bug shows
  ProgramRun run;    // the program with its bug
  ProgramRun fixed;  // the same shape, correctly synchronised: fails on no schedule
};

// Every program, grouped by shape, in the order the table lists them.
std::vector<BugProgram> all_programs();

// Each file of programs adds its own.
void add_ordering_programs(std::vector<BugProgram> &programs);
void add_prefix_programs(std::vector<BugProgram> &programs);
void add_atomicity_programs(std::vector<BugProgram> &programs);
void add_structure_programs(std::vector<BugProgram> &programs);
void add_deadlock_programs(std::vector<BugProgram> &programs);
void add_wakeup_programs(std::vector<BugProgram> &programs);

// A program's thread bodies, with room for `count` of them.
template <class State> std::vector<std::function<void(State &)>> threads_for(int count) {
  std::vector<std::function<void(State &)>> threads;
  threads.reserve(static_cast<std::size_t>(count));
  return threads;
}

// `steps` instrumented accesses (half loads, half stores) to cells no other thread touches:
// the work a thread does before (or between) the accesses that matter. Volatile, so the
// optimiser keeps every one of them.
inline void local_work(volatile int *cells, int steps) {
  for (int i = 0; i + 1 < steps; i += 2) {
    volatile int &cell = cells[(i / 2) % 8];
    cell = cell + 1;
  }
}

// Keeps the plain accesses before it before those after it in the compiled code. The compiler
// may reorder plain accesses to different objects (no other thread may look, as far as C++ is
// concerned), which would remove or create the bug; the runtime runs threads one at a time,
// sequentially consistent, so program order is what every thread sees. A compiler-only fence:
// it adds no yield point.
inline void keep_order() { std::atomic_signal_fence(std::memory_order_seq_cst); }

} // namespace bugbench
