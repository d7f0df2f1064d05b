// The scheduling strategy interface: at every step the runtime asks a strategy which
// managed thread executes its announced step next. Implementations live one per file
// (choice_strategy, replay_strategy); cross-cutting behaviour wraps a strategy.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "interlace/rt/event.hpp"

namespace interlace::rt {

// What the strategy sees at every step.
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
  // Returned by next() to end the execution; stop_reason() then says why.
  static constexpr int kStop = -2;

  virtual ~Strategy() = default;

  // Called once before an execution starts.
  virtual void begin() {}

  // The thread id to run next, asked at every step (even with one runnable thread). A
  // thread that is not runnable is replaced by the next runnable id cyclically after it.
  // std::nullopt means "no opinion": the runtime then continues deterministically (the
  // current thread keeps running for a fairness quantum, then the next runnable thread in id
  // order takes over). kStop ends the execution as FailureKind::Stopped.
  virtual std::optional<int> next(const Decision &decision) = 0;

  // Why next() returned kStop.
  virtual std::string stop_reason() const { return {}; }
};

} // namespace interlace::rt
