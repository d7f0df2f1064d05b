// The scheduling strategy interface: at every step the runtime asks a strategy which
// managed thread executes its announced step next. Implementations live one per file
// (choice_strategy, replay_strategy); cross-cutting behaviour wraps a strategy.
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
};

class Strategy {
public:
  // Returned by next() to end the execution; stop_reason() then says why.
  static constexpr int kStop = -2;

  virtual ~Strategy() = default;

  // Called once before an execution starts.
  virtual void begin() {}

  // The thread id to run next, asked at every step (even with one runnable thread) unless
  // repeats() said the answer stays the same. A
  // thread that is not runnable is replaced by the next runnable id cyclically after it.
  // std::nullopt means "no opinion": the runtime then continues deterministically (the
  // current thread keeps running for a fairness quantum, then the next runnable thread in id
  // order takes over). kStop ends the execution as FailureKind::Stopped.
  virtual std::optional<int> next(const Decision &decision) = 0;

  // Why next() returned kStop.
  virtual std::string stop_reason() const { return {}; }

  // Called right after next(): for how many further steps next() would give the same answer
  // (the same thread, or no opinion) if asked, as long as no thread becomes runnable or stops
  // being runnable. The runtime does not ask for those steps, which keeps a yield point that
  // switches nothing to a counter bump. 0 (the default): ask at every step.
  virtual std::uint64_t repeats() const { return 0; }
};

} // namespace interlace::rt
