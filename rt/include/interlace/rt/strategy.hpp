// The scheduling strategy interface: every scheduling choice of an execution is a strategy's.
// At every step the runtime asks which managed thread executes its announced step next; when
// an action releases one of several blocked threads (a condvar signal, a sem_post, a futex
// wake) or nothing can run and one of several timed waits must expire, it asks which.
// Implementations live one per file (choice_strategy, replay_strategy, and the searches'
// samplers in explore/); cross-cutting behaviour wraps a strategy (the runtime wraps every
// strategy in its fairness policy, fair_strategy.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "interlace/rt/event.hpp"

namespace interlace::rt {

// The step each thread has announced, indexed by thread id. Each thread keeps its own in
// memory it alone writes, so a view reaches them through pointers.
class AnnouncedSteps {
public:
  AnnouncedSteps() = default;
  explicit AnnouncedSteps(std::span<const Event *const> steps) : steps_(steps) {}
  const Event &operator[](std::size_t thread) const { return *steps_[thread]; }
  std::size_t size() const { return steps_.size(); }

private:
  std::span<const Event *const> steps_;
};

// What the strategy sees when a decision is due.
struct Decision {
  std::uint64_t step = 0; // index of the step being decided, from 0
  int current = -1;       // the thread that executed the previous step (-1 before the first)
  // Runnable threads in canonical order: `current` first if it is still runnable, then the
  // others cyclically after it. Picking candidates[0] therefore never preempts.
  std::span<const int> candidates;
  // The step each thread has announced, indexed by thread id.
  AnnouncedSteps pending;
  // Consecutive steps `current` has executed up to here (0 before the first step).
  std::uint32_t run_length = 0;
  // With RunOptions::spurious_wakeups: the threads blocked on a condition variable. Naming
  // one wakes it spuriously (its wait returns as if signalled) and it runs next. Empty
  // otherwise, and whenever no thread is runnable (a deadlock stays a deadlock).
  std::span<const int> sleepers;
};

// Which blocked thread an action releases.
enum class WakeKind : std::uint8_t {
  Notify,  // a condvar signal, a sem_post, a futex wake of fewer threads than wait
  Timeout, // nothing can run: one timed wait expires and the clock jumps to its deadline
};

struct WakeDecision {
  std::uint64_t step = 0; // the step during which the choice is made
  WakeKind kind = WakeKind::Notify;
  // The threads the action may release, at least two, in the default order: first blocked
  // first for Notify, earliest deadline first (then lowest id) for Timeout.
  std::span<const int> waiters;
};

// A choice of waiter other than the first, as an execution records it so that a replay can
// make it again. `ordinal` counts the execution's wake decisions (those with at least two
// waiters) from 0.
struct WakeChoice {
  std::uint64_t ordinal = 0;
  std::uint32_t index = 0; // into WakeDecision::waiters

  bool operator==(const WakeChoice &) const = default;
};

class Strategy {
public:
  // Returned by next() to end the execution; stop_reason() then says why.
  static constexpr int kStop = -2;
  // Returned by next() to end the execution as FailureKind::Discarded: the strategy found it
  // redundant (a systematic search that has covered what it would do).
  static constexpr int kDiscard = -3;

  virtual ~Strategy() = default;

  // Called once before an execution starts.
  virtual void begin() {}

  // The thread id to run next, one of decision.candidates, asked at every step (even with one
  // runnable thread) unless repeats() said the answer stays the same. Naming a thread that
  // is not a candidate is an error in the strategy: the execution ends as
  // FailureKind::StrategyError. std::nullopt means "no opinion": the fairness policy then
  // decides (the current thread keeps running for a quantum, then the next runnable thread
  // in id order takes over). kStop ends the execution as FailureKind::Stopped, kDiscard as
  // FailureKind::Discarded.
  virtual std::optional<int> next(const Decision &decision) = 0;

  // Which of decision.waiters the action releases: an index into it. Answers out of range
  // are a strategy error. The default, 0, keeps the runtime's historical order (first come,
  // first served; earliest deadline first).
  virtual std::size_t choose_waiter(const WakeDecision &decision) {
    (void)decision;
    return 0;
  }

  // Why next() returned kStop.
  virtual std::string stop_reason() const { return {}; }

  // Called right after next(): for how many further steps next() would give the same answer
  // (the same thread, or no opinion) if asked, as long as no thread becomes runnable or stops
  // being runnable. The runtime does not ask for those steps, which keeps a yield point that
  // switches nothing to a counter bump. 0 (the default): ask at every step.
  virtual std::uint64_t repeats() const { return 0; }
};

} // namespace interlace::rt
