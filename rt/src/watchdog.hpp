// The watch over executions whose fibers run on the controller's own thread
// (RunOptions::fibers). For threads, the controller waits for the turn to come back and sees a
// thread that makes no step (Execution::wait_for_turn_back); while a fiber runs, the controller
// is that fiber, so a thread of its own does the watching: every 50 ms it checks the watched
// execution's step count, asks it to stop past its deadline, and ends a fiber stuck outside the
// runtime (Execution::abandon_stuck_fiber). Watching costs a run two uncontended lock round
// trips; the thread starts with the first watched run and sleeps once none has come for a
// second.
#pragma once

#include <atomic>
#include <cstdint>

#include "internal_lock.hpp"

namespace interlace::rt::detail {

class Execution;

class Watchdog {
public:
  static Watchdog &instance();

  // Watches `execution` from now until unwatch(): one run on the calling thread.
  void watch(Execution &execution);
  void unwatch();

private:
  static void *main(void *self);
  static void forked_child();
  void run();
  void check();

  InternalLock lock_;
  Execution *watched_ = nullptr;
  std::uint64_t generation_ = 0; // bumped by watch(): a new run is progress
  bool started_ = false;
  std::atomic<std::uint32_t> sleeping_{0}; // 1 while the thread waits for a run to watch
  // The watch's own view, for its thread only.
  std::uint64_t seen_generation_ = 0;
  std::uint64_t seen_steps_ = 0;
  std::int64_t last_change_ns_ = 0;
  std::int64_t stop_sent_ns_ = 0; // when it ended a stuck fiber; 0: not for this run
  int idle_checks_ = 0;
};

// Watches the calling thread's run for its scope (nothing when `active` is false).
class WatchedRun {
public:
  WatchedRun(Execution &execution, bool active) : active_(active) {
    if (active_) {
      Watchdog::instance().watch(execution);
    }
  }
  ~WatchedRun() {
    if (active_) {
      Watchdog::instance().unwatch();
    }
  }
  WatchedRun(const WatchedRun &) = delete;
  WatchedRun &operator=(const WatchedRun &) = delete;

private:
  bool active_;
};

} // namespace interlace::rt::detail
