// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A
// Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010). Every
// thread has a priority and the highest-priority runnable thread always runs. The initial
// priorities d .. d+n-1 are a random permutation of the n threads; d - 1 change points are drawn
// uniformly among the k steps an execution takes, and at the i-th of them (in draw order, from
// 1) the thread that executed the step before it drops to priority i, below every initial one.
// A bug of depth d (d ordering constraints between steps) is found with probability at least
// 1 / (n k^(d-1)) per execution.
//
// Where this differs from the paper, and why:
// - n is not known up front: a thread gets its priority when a decision first shows it (the
//   threads of the first decision in id order, then each thread spawned later), inserted at a
//   uniformly random rank among the threads still at an initial priority, which keeps the
//   initial order a uniform random permutation.
// - k is learned, not given: the longest execution observed so far (at most max_steps), and
//   kDefaultLength before the first. Change points are drawn among steps 1 .. k-1 (one at step s
//   acts between steps s-1 and s), so a preemption can land anywhere in an execution as long as
//   any seen so far: there is no horizon.
// - PCT assumes that a thread that cannot progress is not runnable. A spin-wait on a
//   lower-priority thread breaks that: it would spin until max_steps (a livelock). A thread
//   that SpinWatch (sampling.hpp) takes for a spinner drops below every priority given so
//   far, as at a change point that d does not count; so does a thread that has run
//   kStarvationSteps steps in a row while others could run (a spin whose period the looks
//   miss). Shuttle and Coyote lower a thread that yields for the same reason; a plain
//   spin-wait has no yield.
// - A wake-up with several waiters releases the highest-priority one, and when nothing can run,
//   the highest-priority timed wait expires: the waiter PCT would run first.
//
// repeats() grants the running thread every step up to the next change point, or while
// another thread could run, up to the next look: an execution costs a strategy call per change
// point, per change of the runnable set, and per SpinWatch::kSpinCheck contended steps.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "searches/sampling.hpp"
#include "searches/search.hpp"

namespace interlace::detail {

class PctStrategy final : public rt::Strategy {
public:
  // `depth` is d (at least 1), `length` the k that change points are drawn over.
  PctStrategy(std::uint64_t seed, int depth, std::uint64_t length,
              std::uint32_t starvation_steps = kStarvationSteps);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;
  std::uint64_t repeats() const override { return repeats_; }

  // Each thread's priority, by id, for the threads seen so far: the highest runs. Initial ones
  // are depth .. depth+n-1; change points give 1 .. depth-1; spins and starvation 0, -1, ...
  const std::vector<std::int64_t> &priorities() const { return priorities_; }
  // The change points in draw order: the i-th (from 0) lowers the thread that executed the
  // step before it to priority i + 1.
  const std::vector<std::uint64_t> &change_points() const { return change_points_; }
  int depth() const { return depth_; }
  std::uint64_t length() const { return length_; }

private:
  void see(std::size_t threads);
  void lower(int thread, std::int64_t priority);
  int highest(std::span<const int> threads) const;

  std::uint64_t seed_;
  int depth_;
  std::uint64_t length_;
  std::uint32_t starvation_steps_;
  SplitMix random_;
  std::vector<std::int64_t> priorities_;
  std::vector<int> initial_; // the threads still at an initial priority, lowest first
  std::vector<std::uint64_t> change_points_;
  // (step, priority) of each change point, by step; changes_[next_change_] is the next due.
  std::vector<std::pair<std::uint64_t, std::int64_t>> changes_;
  std::size_t next_change_ = 0;
  std::int64_t starved_priority_ = 0; // what the next spinning or starving thread drops to
  SpinWatch spin_watch_;              // looks at the running thread at every decision of its run
  std::uint64_t repeats_ = 0;
};

class PctSearch final : public ScheduleSearch {
public:
  // The length assumed before any execution was observed.
  static constexpr std::uint64_t kDefaultLength = 1000;

  explicit PctSearch(const SearchParams &params) : params_(params) {}

  Search kind() const override { return Search::pct; }
  rt::Strategy *next_strategy() override;
  // Learns the length: the longest executed schedule so far.
  void observe(const ExecutionResult &result) override;

  // The k the next execution's change points are drawn over.
  std::uint64_t length() const;

private:
  SearchParams params_;
  std::uint64_t executions_ = 0;
  std::uint64_t longest_ = 0; // the longest execution observed, 0 before the first
  std::optional<PctStrategy> strategy_;
};

std::unique_ptr<ScheduleSearch> make_pct_search(const SearchParams &params);

} // namespace interlace::detail
