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
    : best_(std::move(choices)), chunk_(first_chunk()) {}

std::size_t ChoiceShrinker::first_chunk() const {
  return std::max<std::size_t>(best_.size() / 2, 1);
}

std::optional<std::vector<int>> ChoiceShrinker::next_candidate() {
  for (;;) {
    std::optional<std::vector<int>> candidate = next_proposal();
    if (!candidate) {
      return candidate;
    }
    // Another chunk size or pass may propose the same sequence again: run each once.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const int choice : *candidate) {
      hash = (hash ^ static_cast<std::uint64_t>(choice)) * 0x100000001b3ULL;
    }
    if (tried_.insert(hash).second) {
      return candidate;
    }
  }
}

std::optional<std::vector<int>> ChoiceShrinker::next_proposal() {
  for (;;) {
    if (pass_ == Pass::Lower) {
      if (std::optional<std::vector<int>> lowered = next_lowered_choice()) {
        return lowered;
      }
      if (!improved_) {
        return std::nullopt;
      }
      improved_ = false; // start over from the improved sequence
      pass_ = Pass::ZeroPicks;
      chunk_ = first_chunk();
      start_ = 0;
      continue;
    }
    if (std::optional<std::vector<int>> zeroed = next_zeroed_chunk()) {
      return zeroed;
    }
    if (pass_ == Pass::ZeroPicks) {
      pass_ = Pass::ZeroAll;
      chunk_ = first_chunk();
      start_ = 0;
    } else {
      pass_ = Pass::Lower;
      lowering_ = 0;
      lowered_to_ = 1;
    }
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

// The next chunk with something to zero: in the ZeroPicks pass its thread choices (the even
// positions: choices come in pairs, thread then length), in the ZeroAll pass all of it.
std::optional<std::vector<int>> ChoiceShrinker::next_zeroed_chunk() {
  const bool picks_only = pass_ == Pass::ZeroPicks;
  const auto zeroed = [picks_only](std::size_t index) { return !picks_only || index % 2 == 0; };
  while (chunk_ > 0) {
    while (start_ < best_.size()) {
      const std::size_t begin = start_;
      const std::size_t end = std::min(begin + chunk_, best_.size());
      start_ = end;
      bool changes = false;
      for (std::size_t i = begin; i < end && !changes; ++i) {
        changes = zeroed(i) && best_[i] != 0;
      }
      if (!changes) {
        continue;
      }
      candidate_ = best_;
      for (std::size_t i = begin; i < end; ++i) {
        if (zeroed(i)) {
          candidate_[i] = 0;
        }
      }
      return candidate_;
    }
    chunk_ /= 2;
    start_ = 0;
  }
  return std::nullopt;
}

void ChoiceShrinker::accept() {
  best_ = candidate_;
  if (pass_ == Pass::Lower) {
    improved_ = true;
    ++lowering_; // this choice is as low as it goes: the values below were tried
    lowered_to_ = 1;
  }
}

} // namespace interlace::detail
