#include "searches/pct.hpp"

#include <algorithm>

namespace interlace::detail {

PctStrategy::PctStrategy(std::uint64_t seed, int depth, std::uint64_t length,
                         std::uint32_t starvation_steps)
    : seed_(seed), depth_(std::max(depth, 1)), length_(length),
      starvation_steps_(std::max<std::uint32_t>(starvation_steps, 1)), random_(seed) {
  begin();
}

void PctStrategy::begin() {
  random_ = SplitMix(seed_);
  priorities_.clear();
  initial_.clear();
  change_points_.clear();
  changes_.clear();
  next_change_ = 0;
  starved_priority_ = 0;
  spin_watch_.reset();
  repeats_ = 0;
  // d - 1 distinct steps among 1 .. k-1, or all of them when there are fewer.
  const std::uint64_t steps = length_ > 1 ? length_ - 1 : 0;
  const auto wanted = std::min<std::uint64_t>(static_cast<std::uint64_t>(depth_ - 1), steps);
  while (change_points_.size() < wanted) {
    const std::uint64_t step = 1 + random_.below(steps);
    if (std::ranges::find(change_points_, step) == change_points_.end()) {
      change_points_.push_back(step);
    }
  }
  for (std::size_t i = 0; i < change_points_.size(); ++i) {
    changes_.emplace_back(change_points_[i], static_cast<std::int64_t>(i) + 1);
  }
  std::ranges::sort(changes_);
}

// Gives each thread below `threads` not seen yet a random rank among the initial priorities.
void PctStrategy::see(std::size_t threads) {
  if (threads <= priorities_.size()) {
    return;
  }
  while (priorities_.size() < threads) {
    const int thread = static_cast<int>(priorities_.size());
    priorities_.push_back(0);
    const std::uint64_t rank = random_.below(initial_.size() + 1);
    initial_.insert(initial_.begin() + static_cast<std::ptrdiff_t>(rank), thread);
  }
  for (std::size_t rank = 0; rank < initial_.size(); ++rank) {
    priorities_[static_cast<std::size_t>(initial_[rank])] =
        depth_ + static_cast<std::int64_t>(rank);
  }
}

void PctStrategy::lower(int thread, std::int64_t priority) {
  const auto at = std::ranges::find(initial_, thread);
  if (at != initial_.end()) {
    initial_.erase(at);
    for (std::size_t rank = 0; rank < initial_.size(); ++rank) {
      priorities_[static_cast<std::size_t>(initial_[rank])] =
          depth_ + static_cast<std::int64_t>(rank);
    }
  }
  priorities_[static_cast<std::size_t>(thread)] = priority;
}

int PctStrategy::highest(std::span<const int> threads) const {
  int best = threads[0];
  for (const int thread : threads) {
    if (priorities_[static_cast<std::size_t>(thread)] >
        priorities_[static_cast<std::size_t>(best)]) {
      best = thread;
    }
  }
  return best;
}

std::optional<int> PctStrategy::next(const rt::Decision &decision) {
  const std::span<const int> candidates = decision.candidates;
  if (candidates.empty()) {
    repeats_ = 0;
    return std::nullopt;
  }
  const std::size_t threads = threads_in(decision);
  see(threads);

  // Change points due: the thread that executed the step before drops below the initial ones.
  while (next_change_ < changes_.size() && changes_[next_change_].first <= decision.step) {
    if (decision.current >= 0) {
      lower(decision.current, changes_[next_change_].second);
    }
    ++next_change_;
  }

  // A spinning or starving thread drops below every priority so far. Decisions come at least
  // every kSpinCheck steps of a run while others could run: each is a look.
  int chosen = highest(candidates);
  const bool others = candidates.size() > 1;
  const auto announced = [&](int thread) {
    const auto index = static_cast<std::size_t>(thread);
    return index < decision.pending.size() ? decision.pending[index] : rt::Event{};
  };
  if (others && chosen == decision.current &&
      (decision.run_length >= starvation_steps_ || spin_watch_.spins(announced(chosen)))) {
    lower(chosen, starved_priority_--);
    chosen = highest(candidates);
  }
  if (chosen != decision.current) {
    spin_watch_.reset();
  }
  spin_watch_.look(announced(chosen));

  // The same answer until the next change point, and while others wait, until the next look
  // or the starvation bound.
  repeats_ = kForever;
  if (next_change_ < changes_.size()) {
    repeats_ = changes_[next_change_].first - decision.step - 1;
  }
  if (others) {
    const std::uint64_t run = chosen == decision.current ? decision.run_length + 1 : 1;
    const std::uint64_t to_starvation = starvation_steps_ - run;
    const std::uint64_t to_look = SpinWatch::kSpinCheck - 1;
    repeats_ = std::min({repeats_, to_starvation, to_look});
  }
  return chosen;
}

std::size_t PctStrategy::choose_waiter(const rt::WakeDecision &decision) {
  const std::span<const int> waiters = decision.waiters;
  if (waiters.empty()) {
    return 0;
  }
  see(static_cast<std::size_t>(*std::ranges::max_element(waiters)) + 1);
  const int best = highest(waiters);
  return static_cast<std::size_t>(std::ranges::find(waiters, best) - waiters.begin());
}

rt::Strategy *PctSearch::next_strategy() {
  strategy_.emplace(execution_seed(params_.seed, executions_), params_.pct_depth, length());
  ++executions_;
  return &*strategy_;
}

void PctSearch::observe(const ExecutionResult &result) {
  longest_ = std::max<std::uint64_t>(longest_, result.schedule.size());
}

std::uint64_t PctSearch::length() const {
  const std::uint64_t cap = std::max<std::uint64_t>(params_.max_steps, 1);
  return std::min(longest_ > 0 ? longest_ : kDefaultLength, cap);
}

std::unique_ptr<ScheduleSearch> make_pct_search(const SearchParams &params) {
  return std::make_unique<PctSearch>(params);
}

} // namespace interlace::detail
