// ExploreOptions::spurious_wakeups: POSIX lets a condition variable wait return without a
// signal, and code that waits without a predicate loop breaks when it does. This wrapper around
// a search's strategy wakes one of the threads waiting on a condition variable
// (Decision::sleepers) at random, with probability 1/kOneIn at each decision where one waits;
// the woken thread runs next, so the schedule records it and a replay repeats it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

class SpuriousWakeups final : public rt::Strategy {
public:
  static constexpr std::uint64_t kOneIn = 16;

  void wrap(rt::Strategy &inner, std::uint64_t seed) {
    inner_ = &inner;
    seed_ = seed;
  }

  void begin() override {
    state_ = seed_;
    inner_->begin();
  }
  std::optional<int> next(const rt::Decision &decision) override {
    if (!decision.sleepers.empty() && draw() % kOneIn == 0) {
      repeats_ = 0;
      return decision.sleepers[draw() % decision.sleepers.size()];
    }
    const std::optional<int> choice = inner_->next(decision);
    repeats_ = inner_->repeats();
    return choice;
  }
  std::size_t choose_waiter(const rt::WakeDecision &decision) override {
    return inner_->choose_waiter(decision);
  }
  std::uint64_t repeats() const override { return repeats_; }
  std::string stop_reason() const override { return inner_->stop_reason(); }

private:
  std::uint64_t draw() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return rt::splitmix64(state_);
  }

  rt::Strategy *inner_ = nullptr;
  std::uint64_t seed_ = 0;
  std::uint64_t state_ = 0;
  std::uint64_t repeats_ = 0;
};

} // namespace interlace::detail
