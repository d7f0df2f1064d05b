// The shrinking stages every failure goes through, for any explorer that can run one more
// execution under a strategy: explore_interleavings (explorer.cpp) and `interlace run`
// (run/src/program_explorer.cpp) shrink with the same code.
//
//   1. reorder: replay the equivalent schedule with the fewest switches (schedule_reorder.hpp);
//   2. choices: write the schedule as a choice sequence and zero chunks of it while the failure
//      stays the same with no more preemptions (choice_shrinker.hpp);
//   3. simplify: merge runs of a thread while the failure stays the same with fewer preemptions
//      (schedule_simplifier.hpp).
//
// A candidate replaces the failure only when it fails the same way (the same Verdict).
#pragma once

#include "interlace/rt/strategy.hpp"
#include "verdict.hpp"

namespace interlace::detail {

// What the stages need of an explorer.
class ShrinkTarget {
public:
  // Whether shrinking may run one more execution (its budget; an explorer that has seen a
  // harness error says no). Asked before every execution.
  virtual bool may_run() = 0;
  // Runs one execution under `strategy`, bounded as shrinking is.
  virtual Verdict run_candidate(rt::Strategy &strategy) = 0;
  // The preemptions of the execution run_candidate() last ran.
  virtual int last_preemptions() const = 0;
  // The failure being shrunk.
  virtual const FailureRecord &failure() const = 0;
  // Makes the execution run_candidate() last ran the failure, as failing with `verdict`.
  virtual void keep_last(Verdict verdict) = 0;

protected:
  ~ShrinkTarget() = default;
};

void reorder_failure(ShrinkTarget &target);
void shrink_failure_choices(ShrinkTarget &target);
void simplify_failure(ShrinkTarget &target);

} // namespace interlace::detail
