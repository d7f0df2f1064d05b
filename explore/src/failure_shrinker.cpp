#include "failure_shrinker.hpp"

#include <optional>
#include <vector>

#include "choice_shrinker.hpp"
#include "interlace/rt/replay_strategy.hpp"
#include "schedule_reorder.hpp"
#include "schedule_simplifier.hpp"

namespace interlace::detail {

void reorder_failure(ShrinkTarget &target) {
  const std::vector<int> candidate = reorder_by_thread(target.failure().trace);
  if (candidate.empty() || candidate == target.failure().schedule || !target.may_run()) {
    return;
  }
  const Verdict verdict = target.failure().verdict;
  rt::ReplayStrategy strategy(candidate, target.failure().wake_choices);
  if (target.run_candidate(strategy) == verdict &&
      target.last_preemptions() < target.failure().preemptions) {
    target.keep_last(verdict);
  }
}

void shrink_failure_choices(ShrinkTarget &target) {
  if (!target.may_run()) {
    return;
  }
  const Verdict verdict = target.failure().verdict;
  const std::vector<rt::WakeChoice> wakes = target.failure().wake_choices;
  ChoiceRecorder recorder(target.failure().schedule, wakes);
  if (target.run_candidate(recorder) != verdict) {
    return; // the failure does not replay: nothing to shrink it from
  }
  ChoiceShrinker shrinker(recorder.choices());
  while (std::optional<std::vector<int>> candidate = shrinker.next_candidate()) {
    if (!target.may_run()) {
      return;
    }
    ChoiceReplay replay(*candidate, wakes);
    if (target.run_candidate(replay) == verdict &&
        target.last_preemptions() <= target.failure().preemptions) {
      shrinker.accept();
      target.keep_last(verdict);
    }
  }
}

void simplify_failure(ShrinkTarget &target) {
  for (bool improved = true; improved;) {
    improved = false;
    const Verdict verdict = target.failure().verdict;
    const int preemptions = target.failure().preemptions;
    const std::vector<rt::WakeChoice> wakes = target.failure().wake_choices;
    for (const std::vector<int> &candidate : merge_candidates(target.failure().schedule)) {
      if (!target.may_run()) {
        return;
      }
      rt::ReplayStrategy strategy(candidate, wakes);
      if (target.run_candidate(strategy) == verdict && target.last_preemptions() < preemptions) {
        target.keep_last(verdict);
        improved = true;
        break;
      }
    }
  }
}

} // namespace interlace::detail
