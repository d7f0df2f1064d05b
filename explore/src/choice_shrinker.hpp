// Shrinking a failure found by any search, through choice sequences.
//
// Whatever search found a failing schedule, the schedule can be written as the choices a
// ChoiceStrategy would draw to produce it (rt/include/interlace/rt/choice_strategy.hpp): at
// each run, which candidate runs (0: the current thread, no preemption) and for how long.
// ChoiceRecorder replays the schedule once and writes those choices down; ChoiceShrinker then
// proposes sequences with chunks of choices set to 0, largest chunks first (as delta debugging
// does, Zeller & Hildebrandt, TSE 2002), and the explorer keeps each one that still fails the
// same way with no more preemptions. A 0 removes a preemption or makes a run last until its
// thread blocks, so the sequence converges on the few choices the failure needs, in about
// k·log(n) executions for k needed choices among n. This is how RapidCheck shrinks the random
// search's own choices, applied to every search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_set>
#include <vector>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

// Replays a schedule (and its waiter choices) and records the choice sequence that makes a
// ChoiceStrategy take the same steps. Asks at every step, so it is slower than a replay.
class ChoiceRecorder final : public rt::Strategy {
public:
  ChoiceRecorder(std::span<const int> schedule, std::span<const rt::WakeChoice> wakes);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;

  // The choices, once the replay is over.
  const std::vector<int> &choices() const { return choices_; }

private:
  std::span<const int> schedule_;
  std::span<const rt::WakeChoice> wakes_;
  std::vector<int> choices_;
  // A mirror of ChoiceStrategy's state, to know when it would draw.
  int running_ = -1;
  std::uint64_t run_end_ = 0;
  std::uint64_t wake_ordinal_ = 0;
  std::size_t next_wake_ = 0;
};

// A ChoiceSource that hands out a fixed sequence, then 0s. A value out of range for the
// current choice (the context changed when an earlier choice did) is taken modulo the range.
class ListChoiceSource final : public rt::ChoiceSource {
public:
  explicit ListChoiceSource(std::span<const int> choices) : choices_(choices) {}
  int choose(int n) override;

private:
  std::span<const int> choices_;
  std::size_t next_ = 0;
};

// A ChoiceStrategy over a fixed sequence, which also makes the given waiter choices (by
// ordinal; the others are the first waiter).
class ChoiceReplay final : public rt::Strategy {
public:
  ChoiceReplay(std::span<const int> choices, std::span<const rt::WakeChoice> wakes);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override {
    return strategy_.next(decision);
  }
  std::uint64_t repeats() const override { return strategy_.repeats(); }
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;

private:
  std::span<const int> choices_;
  std::span<const rt::WakeChoice> wakes_;
  std::optional<ListChoiceSource> source_;
  rt::ChoiceStrategy strategy_;
  std::uint64_t wake_ordinal_ = 0;
  std::size_t next_wake_ = 0;
};

// Proposes simpler choice sequences, each lexicographically smaller than the best so far, in
// three passes: the thread choices of a chunk set to 0 (no preemption there, the runs keep
// their lengths, so later choices still fall on the same decisions), then whole chunks set to
// 0, each pass halving the chunk size down to single choices and skipping chunks with nothing
// to change; then each remaining non-zero choice lowered to each smaller value, from 1 up. After
// an accepted lowering, all three run again. After accept() the next proposals start from the
// accepted sequence.
class ChoiceShrinker {
public:
  explicit ChoiceShrinker(std::vector<int> choices);

  // The next candidate, or nothing once every chunk size has been tried.
  std::optional<std::vector<int>> next_candidate();
  // The last candidate still fails the same way: it becomes the sequence to shrink.
  void accept();

  const std::vector<int> &best() const { return best_; }

private:
  enum class Pass : std::uint8_t { ZeroPicks, ZeroAll, Lower };

  std::size_t first_chunk() const;
  std::optional<std::vector<int>> next_proposal();
  std::optional<std::vector<int>> next_zeroed_chunk();
  std::optional<std::vector<int>> next_lowered_choice();

  std::vector<int> best_;
  std::vector<int> candidate_;
  std::unordered_set<std::uint64_t> tried_; // hashes of the sequences proposed so far
  Pass pass_ = Pass::ZeroPicks;
  std::size_t chunk_;        // the zeroing passes' chunk size
  std::size_t start_ = 0;    // the next chunk's first choice
  std::size_t lowering_ = 0; // the choice the lowering pass is at
  int lowered_to_ = 1;       // the next value to try for it
  bool improved_ = false;    // the lowering pass accepted a candidate
};

} // namespace interlace::detail
