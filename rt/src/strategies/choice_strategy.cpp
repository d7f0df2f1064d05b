#include "interlace/rt/choice_strategy.hpp"

#include <algorithm>
#include <limits>

namespace interlace::rt {

void ChoiceStrategy::begin() {
  running_ = -1;
  run_end_ = 0;
  repeats_ = 0;
}

std::optional<int> ChoiceStrategy::next(const Decision &decision) {
  constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();
  if (decision.candidates.size() == 1) {
    repeats_ = kForever; // nothing to decide until another thread becomes runnable
    return decision.candidates[0];
  }
  if (decision.step >= max_ops_) {
    repeats_ = kForever;
    return std::nullopt;
  }
  // Still inside the current run: no decision is due.
  const bool current_runnable =
      !decision.candidates.empty() && decision.candidates[0] == decision.current;
  // An unbounded run of a spinner ends where it yields the processor (sched_yield, a sleep)
  // after kSpinSteps steps: it would otherwise spin to the step cap while the thread it waits
  // for never runs (a TBB spin lock's backoff). Short spins that end in a wait (libstdc++'s
  // atomic waits yield a dozen times, then sleep on the futex) are left alone.
  constexpr std::uint32_t kSpinSteps = 1000;
  const bool gives_way =
      decision.current == running_ && run_end_ == kForever && decision.run_length >= kSpinSteps &&
      static_cast<std::size_t>(running_) < decision.pending.size() &&
      decision.pending[static_cast<std::size_t>(running_)].kind == EventKind::Sleep;
  if (decision.current != running_ || !current_runnable || decision.step >= run_end_ || gives_way) {
    const int n = static_cast<int>(decision.candidates.size());
    const int pick = source_.choose(n);
    const int length = source_.choose(kRunLengths);
    running_ = decision.candidates[static_cast<std::size_t>(pick < 0 || pick >= n ? 0 : pick)];
    run_end_ =
        length == 0 ? kForever : decision.step + static_cast<std::uint64_t>(kRunLengths - length);
  }
  // The same answer until the run ends or the choices do (then: no opinion).
  repeats_ = std::min(run_end_, max_ops_) - decision.step - 1;
  return running_;
}

int SeededChoiceSource::choose(int n) {
  const std::uint64_t z = splitmix64(state_);
  state_ += 0x9e3779b97f4a7c15ULL;
  return static_cast<int>(z % static_cast<std::uint64_t>(n));
}

} // namespace interlace::rt
