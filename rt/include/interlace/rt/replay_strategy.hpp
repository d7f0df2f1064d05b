// A strategy that replays a recorded schedule: the thread id of every executed step, and the
// choices of waiter that were not the first (Executor::wake_choices). Replaying what an
// execution recorded reproduces that execution exactly, as long as the code under test is
// deterministic apart from the scheduling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::rt {

class ReplayStrategy final : public Strategy {
public:
  explicit ReplayStrategy(std::vector<int> schedule, std::vector<WakeChoice> wake_choices = {})
      : schedule_(std::move(schedule)), wake_choices_(std::move(wake_choices)) {}

  void begin() override {
    wake_ordinal_ = 0;
    next_wake_ = 0;
  }
  std::optional<int> next(const Decision &decision) override;
  std::size_t choose_waiter(const WakeDecision &decision) override;
  std::uint64_t repeats() const override { return repeats_; }

private:
  std::vector<int> schedule_;
  std::vector<WakeChoice> wake_choices_; // by ordinal
  std::uint64_t wake_ordinal_ = 0;       // the next wake decision's
  std::size_t next_wake_ = 0;            // the first entry of wake_choices_ not yet used
  std::uint64_t repeats_ = 0;
  std::size_t run_begin_ = 0; // the latest run of one thread that next() looked up
  std::size_t run_end_ = 0;
};

} // namespace interlace::rt
