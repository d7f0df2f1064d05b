#include "interlace/rt/replay_strategy.hpp"

namespace interlace::rt {

std::optional<int> ReplayStrategy::next(const Decision &decision) {
  if (decision.step >= schedule_.size()) {
    return std::nullopt;
  }
  return schedule_[decision.step];
}

} // namespace interlace::rt
