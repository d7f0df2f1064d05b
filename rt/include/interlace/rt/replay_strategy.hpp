// A strategy that replays a recorded schedule: the thread id of every executed step.
// Replaying the schedule an execution produced reproduces that execution exactly, as long
// as the code under test is deterministic apart from the scheduling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::rt {

class ReplayStrategy final : public Strategy {
public:
  explicit ReplayStrategy(std::vector<int> schedule) : schedule_(std::move(schedule)) {}

  std::optional<int> next(const Decision &decision) override;
  std::uint64_t repeats() const override { return repeats_; }

private:
  std::vector<int> schedule_;
  std::uint64_t repeats_ = 0;
  std::size_t run_begin_ = 0; // the latest run of one thread that next() looked up
  std::size_t run_end_ = 0;
};

} // namespace interlace::rt
