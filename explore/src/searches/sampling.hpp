// What the samplers (pct, pos, surw) share: their random numbers and their guard against a
// thread that starves the others.
#pragma once

#include <cstdint>
#include <limits>

#include "interlace/rt/choice_strategy.hpp"

namespace interlace::detail {

// repeats() for "the same answer until the runnable set changes".
inline constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();

// A thread that has run this many consecutive steps while another thread could run loses the
// turn (each sampler says how). A sampler that always runs its favourite thread would otherwise
// spin forever in a spin-wait on a thread it never runs, and the execution would end as a
// livelock at max_steps. The reference SURW implementation resets its priorities after the
// same number of steps.
inline constexpr std::uint32_t kStarvationSteps = 1000;

// A splitmix64 stream (Steele, Lea, Flood, OOPSLA 2014): the same seed, the same numbers.
class SplitMix {
public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    const std::uint64_t value = rt::splitmix64(state_);
    state_ += 0x9e3779b97f4a7c15ULL;
    return value;
  }

  // A value in [0, n), n >= 1.
  std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
  std::uint64_t state_;
};

} // namespace interlace::detail
