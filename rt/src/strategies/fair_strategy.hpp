// The runtime's fairness policy, wrapped around every strategy an execution runs with. Where
// the strategy has no opinion (std::nullopt), the current thread keeps the turn for a quantum
// of steps, then the next runnable thread in id order takes over, so that a spin-wait always
// lets the thread it waits for make progress. Everything else goes to the wrapped strategy.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "interlace/rt/strategy.hpp"

namespace interlace::rt::detail {

class FairStrategy final : public Strategy {
public:
  void wrap(Strategy &inner, std::uint32_t quantum) {
    inner_ = &inner;
    quantum_ = quantum;
  }

  void begin() override { inner_->begin(); }
  std::string stop_reason() const override { return inner_->stop_reason(); }
  std::size_t choose_waiter(const WakeDecision &decision) override {
    return inner_->choose_waiter(decision);
  }
  std::uint64_t repeats() const override { return repeats_; }

  // Always an answer: a thread id, kStop or kDiscard.
  std::optional<int> next(const Decision &decision) override {
    const std::optional<int> choice = inner_->next(decision);
    repeats_ = inner_->repeats();
    if (choice) {
      return choice;
    }
    const std::span<const int> candidates = decision.candidates;
    const bool current_first = candidates[0] == decision.current;
    if (candidates.size() == 1) {
      return candidates[0];
    }
    if (current_first && decision.run_length < quantum_) {
      // It keeps the turn while its run stays below the quantum.
      repeats_ = std::min<std::uint64_t>(repeats_, quantum_ - decision.run_length - 1);
      return decision.current;
    }
    repeats_ = 0;
    return current_first ? candidates[1] : candidates[0];
  }

private:
  Strategy *inner_ = nullptr;
  std::uint32_t quantum_ = 0;
  std::uint64_t repeats_ = 0;
};

} // namespace interlace::rt::detail
