// A strategy that follows a sequence of choices drawn one at a time from a ChoiceSource.
//
// The schedule is a sequence of runs. When a run ends (its length is used up, or its thread
// blocks or finishes) a decision is due and two choices are drawn:
//   - which runnable thread runs next: an index into Decision::candidates, whose entry 0 is
//     the current thread, so choice 0 never preempts;
//   - how long it runs: 0 means until it blocks or finishes, k > 0 means kRunLengths - k steps
//     (counted from the step that starts the run, whoever else is runnable meanwhile).
// Both shrink towards 0, and each shrink towards 0 removes a preemption or postpones one
// without changing who runs anywhere else. That is what lets a property-based tester
// (RapidCheck) that owns generation and shrinking minimise context switches, as with choice
// sequences in Hypothesis (MacIver & Donaldson, "Test-Case Reduction via Test-Case
// Generation", ECOOP 2020) and Shuttle's replayable random schedules.
#pragma once

#include <cstdint>

#include "interlace/rt/strategy.hpp"

namespace interlace::rt {

class ChoiceSource {
public:
  virtual ~ChoiceSource() = default;
  // A value in [0, n), n >= 2.
  virtual int choose(int n) = 0;
};

class ChoiceStrategy final : public Strategy {
public:
  // Run lengths drawn: unbounded, or 1 .. kRunLengths - 1 steps.
  static constexpr int kRunLengths = 8;

  // Draw choices for the first `max_ops` steps; after that, express no opinion.
  ChoiceStrategy(ChoiceSource &source, std::uint64_t max_ops)
      : source_(source), max_ops_(max_ops) {}

  void begin() override;
  std::optional<int> next(const Decision &decision) override;
  std::uint64_t repeats() const override { return repeats_; }

private:
  ChoiceSource &source_;
  std::uint64_t max_ops_;
  int running_ = -1;          // the thread this strategy last chose
  std::uint64_t run_end_ = 0; // the step at which its run ends; UINT64_MAX: unbounded
  std::uint64_t repeats_ = 0; // what repeats() says about the last answer
};

// One step of splitmix64 (Steele, Lea, Flood, OOPSLA 2014): a well-mixed 64-bit value from
// `value`; successive states differ by 0x9e3779b97f4a7c15.
constexpr std::uint64_t splitmix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// A ChoiceSource backed by a small deterministic PRNG (splitmix64); for tests and for
// drivers that do not need shrinking.
class SeededChoiceSource final : public ChoiceSource {
public:
  explicit SeededChoiceSource(std::uint64_t seed) : state_(seed) {}
  int choose(int n) override;

private:
  std::uint64_t state_;
};

} // namespace interlace::rt
