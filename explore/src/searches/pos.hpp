// POS, partial order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
// CAV 2018). Every pending event (each thread's announced step) has an independent random
// priority, and the runnable thread whose pending event has the highest priority runs. After an
// event executes, the pending events of the other threads that conflict with it get fresh random
// priorities, and so does the next event of the thread that executed it. Without that
// reassignment (the paper's BasicPOS) the order drawn between two racing events carries over to
// their successors, which makes some partial orders exponentially unlikely; the paper reports a
// much stronger probabilistic guarantee for POS than for a random walk or PCT.
//
// Conflict (events_conflict below): two memory accesses to overlapping bytes of which at least
// one writes (Write, Rmw); two synchronisation events (Lock, Unlock, ReadLock, Wait, Notify,
// Once) on the same object; a futex wait (a Wait with a size, which reads its word) and a write
// to that word; two Spawns (thread ids follow creation order); two Joins or Detaches of the same
// thread. Nothing else conflicts (Start, Fence, Sleep, Marker).
//
// Where this differs from the paper, and why:
// - A thread that becomes runnable again (woken, unblocked, or new) gets a fresh priority: its
//   pending event becomes enabled then, and the paper gives enabled events their priorities.
//   This also covers the conflicts we do not see while a lone runnable thread runs granted
//   steps: the threads those steps could affect were not runnable.
// - A thread that SpinWatch takes for a spinner (sampling.hpp), or that has run
//   kStarvationSteps steps in a row while another could run, gives way to the best of the
//   others for one step: a spin-wait whose reads conflict with nothing pending could otherwise
//   keep winning against a low priority for a long time.
// - Wake-ups choose the released waiter (or the expiring timed wait) uniformly at random.
//
// Costs: with two or more runnable threads POS is asked at every step (each step reassigns
// priorities); a lone runnable thread runs until the runnable set changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "searches/sampling.hpp"
#include "searches/search.hpp"

namespace interlace::detail {

// True when executing `a` and `b` in either order can differ (see above).
bool events_conflict(const rt::Event &a, const rt::Event &b);

class PosStrategy final : public rt::Strategy {
public:
  explicit PosStrategy(std::uint64_t seed, std::uint32_t starvation_steps = kStarvationSteps);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;
  std::uint64_t repeats() const override { return repeats_; }

  // The priority of each thread's pending event, by thread id (threads seen so far): the
  // highest runs.
  const std::vector<std::uint64_t> &priorities() const { return priorities_; }

private:
  void refresh(std::size_t thread);

  std::uint64_t seed_;
  std::uint32_t starvation_steps_;
  SplitMix random_;
  std::vector<std::uint64_t> priorities_;
  std::vector<bool> runnable_;  // a candidate at the previous decision
  std::vector<bool> now_;       // a candidate at this one
  std::vector<bool> refreshed_; // given a fresh priority at this decision
  int last_ = -1;               // the thread chosen at the previous decision
  rt::Event last_event_;        // the event it executed
  std::uint64_t last_step_ = 0; // the step it executed
  SpinWatch spin_watch_;
  std::uint64_t repeats_ = 0;
};

class PosSearch final : public ScheduleSearch {
public:
  explicit PosSearch(const SearchParams &params) : params_(params) {}

  Search kind() const override { return Search::pos; }
  rt::Strategy *next_strategy() override;

private:
  SearchParams params_;
  std::uint64_t executions_ = 0;
  std::optional<PosStrategy> strategy_;
};

std::unique_ptr<ScheduleSearch> make_pos_search(const SearchParams &params);

} // namespace interlace::detail
