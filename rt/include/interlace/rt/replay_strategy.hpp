// A strategy that replays a recorded schedule: the thread id of every executed step.
// Replaying the schedule an execution produced reproduces that execution exactly, as long
// as the code under test is deterministic apart from the scheduling.
#pragma once

#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::rt {

class ReplayStrategy final : public Strategy {
public:
  explicit ReplayStrategy(std::vector<int> schedule) : schedule_(std::move(schedule)) {}

  std::optional<int> next(const Decision &decision) override;

private:
  std::vector<int> schedule_;
};

} // namespace interlace::rt
