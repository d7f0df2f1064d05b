#include "interlace/rt/choice_strategy.hpp"

#include <limits>

namespace interlace::rt {

void ChoiceStrategy::begin() {
  running_ = -1;
  remaining_ = 0;
}

std::optional<int> ChoiceStrategy::next(const Decision &decision) {
  if (decision.candidates.size() == 1) {
    return decision.candidates[0]; // nothing to decide: no draw, the run goes on
  }
  if (decision.step >= max_ops_) {
    return std::nullopt;
  }
  // Still inside the current run: no decision is due.
  const bool current_runnable =
      !decision.candidates.empty() && decision.candidates[0] == decision.current;
  if (decision.current == running_ && current_runnable && remaining_ > 0) {
    if (remaining_ != std::numeric_limits<std::uint64_t>::max()) {
      --remaining_;
    }
    return running_;
  }
  const int n = static_cast<int>(decision.candidates.size());
  const int pick = n > 1 ? source_.choose(n) : 0;
  const int length = source_.choose(kRunLengths);
  running_ = decision.candidates[static_cast<std::size_t>(pick < 0 || pick >= n ? 0 : pick)];
  remaining_ = length == 0 ? std::numeric_limits<std::uint64_t>::max()
                           : static_cast<std::uint64_t>(kRunLengths - length - 1);
  return running_;
}

int SeededChoiceSource::choose(int n) {
  // splitmix64
  state_ += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<int>(z % static_cast<std::uint64_t>(n));
}

} // namespace interlace::rt
