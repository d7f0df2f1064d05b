#include "choice_shrinker.hpp"

#include <algorithm>
#include <limits>

namespace interlace::detail {
namespace {

constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();

// The waiter choice for the next wake decision, from choices recorded by ordinal.
std::size_t recorded_waiter(std::span<const rt::WakeChoice> wakes, std::uint64_t &ordinal,
                            std::size_t &next) {
  const std::uint64_t current = ordinal++;
  if (next < wakes.size() && wakes[next].ordinal == current) {
    return wakes[next++].index;
  }
  return 0;
}

} // namespace

ChoiceRecorder::ChoiceRecorder(std::span<const int> schedule, std::span<const rt::WakeChoice> wakes)
    : schedule_(schedule), wakes_(wakes) {}

void ChoiceRecorder::begin() {
  choices_.clear();
  running_ = -1;
  run_end_ = 0;
  wake_ordinal_ = 0;
  next_wake_ = 0;
}

// Mirrors ChoiceStrategy::next: where it would draw, records the draws that give the
// schedule's thread for the rest of its run (at most kRunLengths - 1 steps at a time).
std::optional<int> ChoiceRecorder::next(const rt::Decision &decision) {
  const std::size_t step = decision.step;
  if (step >= schedule_.size()) {
    return std::nullopt; // past the end: the execution ended differently anyway
  }
  const int wanted = schedule_[step];
  if (decision.candidates.size() == 1) {
    return wanted; // ChoiceStrategy draws nothing here (and a replay names the only thread)
  }
  const bool current_runnable = decision.candidates[0] == decision.current;
  const bool due = decision.current != running_ || !current_runnable || step >= run_end_;
  if (due) {
    const auto at = std::ranges::find(decision.candidates, wanted);
    if (at == decision.candidates.end()) {
      return wanted; // not runnable: the replay ends as a strategy error
    }
    std::size_t length = 1;
    while (step + length < schedule_.size() && schedule_[step + length] == wanted &&
           length < rt::ChoiceStrategy::kRunLengths - 1) {
      ++length;
    }
    choices_.push_back(static_cast<int>(at - decision.candidates.begin()));
    choices_.push_back(rt::ChoiceStrategy::kRunLengths - static_cast<int>(length));
    running_ = wanted;
    run_end_ = step + length;
  }
  return wanted;
}

std::size_t ChoiceRecorder::choose_waiter(const rt::WakeDecision &decision) {
  (void)decision;
  return recorded_waiter(wakes_, wake_ordinal_, next_wake_);
}

int ListChoiceSource::choose(int n) {
  if (next_ >= choices_.size()) {
    return 0;
  }
  return choices_[next_++] % n;
}

ChoiceReplay::ChoiceReplay(std::span<const int> choices, std::span<const rt::WakeChoice> wakes)
    : choices_(choices), wakes_(wakes), source_(std::in_place, choices),
      strategy_(*source_, kForever) {}

void ChoiceReplay::begin() {
  source_.emplace(choices_);
  strategy_.begin();
  wake_ordinal_ = 0;
  next_wake_ = 0;
}

std::size_t ChoiceReplay::choose_waiter(const rt::WakeDecision &decision) {
  (void)decision;
  return recorded_waiter(wakes_, wake_ordinal_, next_wake_);
}

ChoiceShrinker::ChoiceShrinker(std::vector<int> choices)
    : best_(std::move(choices)), chunk_(std::max<std::size_t>(best_.size() / 2, 1)) {}

std::optional<std::vector<int>> ChoiceShrinker::next_candidate() {
  for (;;) {
    if (std::optional<std::vector<int>> zeroed = next_zeroed_chunk()) {
      return zeroed;
    }
    if (std::optional<std::vector<int>> lowered = next_lowered_choice()) {
      return lowered;
    }
    if (!improved_) {
      return std::nullopt;
    }
    improved_ = false; // start over from the improved sequence
    chunk_ = std::max<std::size_t>(best_.size() / 2, 1);
    start_ = 0;
    lowering_ = 0;
    lowered_to_ = 1;
  }
}

std::optional<std::vector<int>> ChoiceShrinker::next_lowered_choice() {
  for (; lowering_ < best_.size(); ++lowering_, lowered_to_ = 1) {
    if (lowered_to_ < best_[lowering_]) {
      candidate_ = best_;
      candidate_[lowering_] = lowered_to_++;
      return candidate_;
    }
  }
  return std::nullopt;
}

std::optional<std::vector<int>> ChoiceShrinker::next_zeroed_chunk() {
  while (chunk_ > 0) {
    while (start_ < best_.size()) {
      const std::size_t begin = start_;
      const std::size_t end = std::min(begin + chunk_, best_.size());
      start_ = end;
      const auto chunk = std::span<const int>(best_).subspan(begin, end - begin);
      if (std::ranges::all_of(chunk, [](int choice) { return choice == 0; })) {
        continue;
      }
      candidate_ = best_;
      std::fill(candidate_.begin() + static_cast<std::ptrdiff_t>(begin),
                candidate_.begin() + static_cast<std::ptrdiff_t>(end), 0);
      return candidate_;
    }
    chunk_ /= 2;
    start_ = 0;
  }
  return std::nullopt;
}

void ChoiceShrinker::accept() {
  best_ = candidate_;
  if (chunk_ == 0) {
    improved_ = true;
    ++lowering_; // this choice is as low as it goes: the values below were tried
    lowered_to_ = 1;
  }
}

} // namespace interlace::detail
