#include "searches/pos.hpp"

#include <algorithm>

namespace interlace::detail {
namespace {

using rt::EventKind;

bool is_thread_lifetime(EventKind kind) {
  return kind == EventKind::Join || kind == EventKind::Detach;
}

// A futex wait reads the word it names (a size of 0 names an object, not bytes).
bool reads_word(const rt::Event &event) { return event.kind == EventKind::Wait && event.size > 0; }

bool overlap(const rt::Event &a, const rt::Event &b) {
  if (a.addr == nullptr || b.addr == nullptr) {
    return false;
  }
  const auto x = reinterpret_cast<std::uintptr_t>(a.addr);
  const auto y = reinterpret_cast<std::uintptr_t>(b.addr);
  return x < y + std::max<std::uintptr_t>(b.size, 1) && y < x + std::max<std::uintptr_t>(a.size, 1);
}

} // namespace

bool events_conflict(const rt::Event &a, const rt::Event &b) {
  if (rt::is_memory_access(a.kind) && rt::is_memory_access(b.kind)) {
    return (rt::is_write(a.kind) || rt::is_write(b.kind)) && overlap(a, b);
  }
  if (rt::is_synchronisation(a.kind) && rt::is_synchronisation(b.kind)) {
    return a.addr != nullptr && a.addr == b.addr;
  }
  if ((reads_word(a) && rt::is_write(b.kind)) || (reads_word(b) && rt::is_write(a.kind))) {
    return overlap(a, b);
  }
  if (a.kind == EventKind::Spawn && b.kind == EventKind::Spawn) {
    return true;
  }
  if (is_thread_lifetime(a.kind) && is_thread_lifetime(b.kind)) {
    return a.addr == b.addr;
  }
  return false;
}

PosStrategy::PosStrategy(std::uint64_t seed, std::uint32_t starvation_steps)
    : seed_(seed), starvation_steps_(std::max<std::uint32_t>(starvation_steps, 1)), random_(seed) {}

void PosStrategy::begin() {
  random_ = SplitMix(seed_);
  priorities_.clear();
  runnable_.clear();
  now_.clear();
  refreshed_.clear();
  spin_watch_.reset();
  last_ = -1;
  last_event_ = rt::Event{};
  last_step_ = 0;
  repeats_ = 0;
}

void PosStrategy::refresh(std::size_t thread) {
  if (!refreshed_[thread]) {
    refreshed_[thread] = true;
    priorities_[thread] = random_.next();
  }
}

std::optional<int> PosStrategy::next(const rt::Decision &decision) {
  const std::span<const int> candidates = decision.candidates;
  if (candidates.empty()) {
    repeats_ = 0;
    return std::nullopt;
  }
  const std::size_t threads = threads_in(decision);
  // New threads, in id order: their first event gets its priority.
  refreshed_.assign(std::max(threads, priorities_.size()), false);
  while (priorities_.size() < threads) {
    priorities_.push_back(0);
    runnable_.push_back(false);
    refresh(priorities_.size() - 1);
  }

  // The event chosen last executed: the thread that executed it has a new pending event, and
  // pending events that conflict with it get fresh priorities. When the runtime skipped
  // decisions (a lone runnable thread), only that thread ran: its event is new, and whoever the
  // steps could have affected was not runnable (see below).
  if (last_ >= 0) {
    const bool one_step = decision.step == last_step_ + 1;
    for (std::size_t thread = 0; thread < priorities_.size(); ++thread) {
      if (static_cast<int>(thread) == last_ ||
          (one_step && thread < decision.pending.size() &&
           events_conflict(decision.pending[thread], last_event_))) {
        refresh(thread);
      }
    }
  }
  // Threads runnable now and not at the previous decision: their pending events are newly
  // enabled. The runnable set is then remembered for the next decision.
  now_.assign(priorities_.size(), false);
  for (const int thread : candidates) {
    now_[static_cast<std::size_t>(thread)] = true;
  }
  for (std::size_t thread = 0; thread < priorities_.size(); ++thread) {
    if (now_[thread] && !runnable_[thread]) {
      refresh(thread);
    }
  }
  runnable_.swap(now_);

  // A thread that spins or starves the others gives way for this step.
  const bool starved = spin_watch_.gives_way(decision, starvation_steps_);
  int chosen = -1;
  for (const int thread : candidates) {
    if (starved && thread == decision.current) {
      continue;
    }
    const std::uint64_t priority = priorities_[static_cast<std::size_t>(thread)];
    if (chosen < 0 || priority > priorities_[static_cast<std::size_t>(chosen)] ||
        (priority == priorities_[static_cast<std::size_t>(chosen)] && thread < chosen)) {
      chosen = thread;
    }
  }

  if (chosen != decision.current) {
    spin_watch_.reset(); // a new run
  }
  last_ = chosen;
  last_event_ = static_cast<std::size_t>(chosen) < decision.pending.size()
                    ? decision.pending[static_cast<std::size_t>(chosen)]
                    : rt::Event{};
  last_step_ = decision.step;
  repeats_ = candidates.size() == 1 ? kForever : 0;
  return chosen;
}

std::size_t PosStrategy::choose_waiter(const rt::WakeDecision &decision) {
  if (decision.waiters.size() < 2) {
    return 0;
  }
  return static_cast<std::size_t>(random_.below(decision.waiters.size()));
}

rt::Strategy *PosSearch::next_strategy() {
  strategy_.emplace(execution_seed(params_.seed, executions_));
  ++executions_;
  return &*strategy_;
}

std::unique_ptr<ScheduleSearch> make_pos_search(const SearchParams &params) {
  return std::make_unique<PosSearch>(params);
}

} // namespace interlace::detail
