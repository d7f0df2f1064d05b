// The scheduling strategy interface: at every step the runtime asks a strategy which
// managed thread executes its announced step next. Implementations live one per file
// (choice_strategy, replay_strategy); cross-cutting behaviour wraps a strategy.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "interlace/rt/event.hpp"

namespace interlace::rt {

// What the strategy sees when a decision is due.
struct Decision {
  std::uint64_t step = 0; // index of the step being decided, from 0
  int current = -1;       // the thread that executed the previous step (-1 before the first)
  // Runnable threads in canonical order: `current` first if it is still runnable, then the
  // others cyclically after it. Picking candidates[0] therefore never preempts.
  std::span<const int> candidates;
  // The step each thread has announced, indexed by thread id.
  std::span<const Event> pending;
};

class Strategy {
public:
  virtual ~Strategy() = default;

  // Called once before an execution starts.
  virtual void begin() {}

  // The thread id to run next. A thread that is not runnable is replaced by the next
  // runnable id cyclically after it. std::nullopt means "no opinion": the runtime then
  // continues deterministically (the current thread keeps running for a fairness quantum,
  // then the next runnable thread in id order takes over).
  virtual std::optional<int> next(const Decision &decision) = 0;
};

} // namespace interlace::rt
