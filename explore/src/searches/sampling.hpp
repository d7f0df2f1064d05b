// What the samplers (pct, pos, surw) share: their random numbers and their guards against a
// thread that spins or starves the others.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/event.hpp"
#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

// repeats() for "the same answer until the runnable set changes".
inline constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();

// A thread that has run this many consecutive steps while another thread could run loses the
// turn (each sampler says how). A sampler that always runs its favourite thread would otherwise
// spin forever in a spin-wait on a thread it never runs, and the execution would end as a
// livelock at max_steps. The reference SURW implementation resets its priorities after the
// same number of steps.
inline constexpr std::uint32_t kStarvationSteps = 1000;

// A sampler that keeps running its favourite thread must notice a spin-wait on a thread it does
// not run: the spin never blocks, so without that it would run until max_steps (a livelock).
// While another thread could run, it looks at the running thread's announced step every
// kSpinCheck steps of its run; a thread that announces the same step (kind, address, site) at
// kSpinSightings of the last kSpinLooks looks of its run is taken to spin. A loop hammering one
// address (fetch_add in a loop) looks the same; taking it for a spin costs a switch, never a
// wrong result.
class SpinWatch {
public:
  static constexpr std::uint32_t kSpinCheck = 32;
  static constexpr std::size_t kSpinLooks = 8;
  static constexpr std::size_t kSpinSightings = 3;

  // A new run starts: forget the looks.
  void reset() { count_ = 0; }

  // Whether announcing `step` now, at a look, makes the running thread a spinner.
  bool spins(const rt::Event &step) const {
    if (step.addr == nullptr && step.site == nullptr) {
      return false; // nothing tells two such steps apart
    }
    std::size_t sightings = 1;
    for (std::size_t i = 0; i < count_ && i < kSpinLooks; ++i) {
      const rt::Event &seen = looks_[i];
      sightings +=
          seen.kind == step.kind && seen.addr == step.addr && seen.site == step.site ? 1 : 0;
    }
    return sightings >= kSpinSightings;
  }

  // For samplers that decide at every step (POS, SURW): whether the current thread, with
  // another runnable, must give way for this step because it spins (a look every kSpinCheck
  // steps of its run) or has run `starvation_steps` in a row.
  bool gives_way(const rt::Decision &decision, std::uint32_t starvation_steps) {
    const std::span<const int> candidates = decision.candidates;
    const bool contended = candidates.size() > 1 && candidates[0] == decision.current;
    bool spinning = false;
    if (contended && decision.run_length > 0 && decision.run_length % kSpinCheck == 0) {
      const auto current = static_cast<std::size_t>(decision.current);
      const rt::Event step =
          current < decision.pending.size() ? decision.pending[current] : rt::Event{};
      spinning = spins(step);
      look(step);
    }
    return contended && (spinning || decision.run_length >= starvation_steps);
  }

  void look(const rt::Event &step) {
    looks_[count_ % kSpinLooks] = step;
    ++count_;
  }

private:
  std::array<rt::Event, kSpinLooks> looks_{};
  std::size_t count_ = 0;
};

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

// How many threads a decision shows: one past the highest id it names.
inline std::size_t threads_in(const rt::Decision &decision) {
  std::size_t threads = std::max<std::size_t>(decision.pending.size(),
                                              static_cast<std::size_t>(decision.current + 1));
  for (const int thread : decision.candidates) {
    threads = std::max(threads, static_cast<std::size_t>(thread) + 1);
  }
  return threads;
}

} // namespace interlace::detail
