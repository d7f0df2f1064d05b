#include "interlace/rt/replay_strategy.hpp"

#include <limits>

namespace interlace::rt {

std::optional<int> ReplayStrategy::next(const Decision &decision) {
  const std::size_t step = decision.step;
  if (step >= schedule_.size()) {
    repeats_ = std::numeric_limits<std::uint64_t>::max(); // past the end: no opinion for good
    return std::nullopt;
  }
  // The run of steps of one thread that contains this step, found once per run.
  if (step < run_begin_ || step >= run_end_) {
    run_begin_ = step;
    run_end_ = step + 1;
    while (run_end_ < schedule_.size() && schedule_[run_end_] == schedule_[step]) {
      ++run_end_;
    }
  }
  repeats_ = run_end_ - step - 1;
  return schedule_[step];
}

std::size_t ReplayStrategy::choose_waiter(const WakeDecision &decision) {
  (void)decision;
  const std::uint64_t ordinal = wake_ordinal_++;
  if (next_wake_ < wake_choices_.size() && wake_choices_[next_wake_].ordinal == ordinal) {
    return wake_choices_[next_wake_++].index;
  }
  return 0;
}

} // namespace interlace::rt
