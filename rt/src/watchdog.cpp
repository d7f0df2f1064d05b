#include "watchdog.hpp"

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <new>

#include "execution.hpp"
#include "fatal.hpp"
#include "real.hpp"
#include "signals.hpp"

namespace interlace::rt::detail {
namespace {

constexpr std::int64_t kSliceNs = 50'000'000;
// Checks without a run to watch before the thread sleeps until the next watch(): a second.
constexpr int kIdleChecks = 20;
// After ending a stuck fiber, how long the controller may take to come back before the
// process is given up: the fiber blocks the stop signal.
constexpr std::int64_t kStopPatienceNs = 2'000'000'000;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

Watchdog &Watchdog::instance() {
  static auto *watchdog = [] {
    pthread_atfork(nullptr, nullptr, &Watchdog::forked_child);
    return new Watchdog(); // never destroyed: its thread outlives main()
  }();
  return *watchdog;
}

// A forked child has only the thread that forked: no watchdog thread, and the lock as the
// parent's threads left it. Its next watched run starts a watchdog of its own.
void Watchdog::forked_child() {
  Watchdog &watchdog = instance();
  new (&watchdog.lock_) InternalLock();
  watchdog.watched_ = nullptr;
  watchdog.started_ = false;
  watchdog.sleeping_.store(0, std::memory_order_relaxed);
  watchdog.idle_checks_ = 0;
}

void Watchdog::watch(Execution &execution) {
  const std::lock_guard<InternalLock> guard(lock_);
  watched_ = &execution;
  ++generation_;
  if (!started_) {
    started_ = true;
    real::ThreadHandle thread = 0;
    if (real::pthread_create(&thread, nullptr, &Watchdog::main, this) != 0) {
      internal_error("pthread_create failed for the fibers' watchdog");
    }
    real::pthread_detach(thread);
  } else if (sleeping_.load(std::memory_order_relaxed) != 0) {
    sleeping_.store(0, std::memory_order_relaxed);
    futex_wake(&sleeping_, 1);
  }
}

void Watchdog::unwatch() {
  const std::lock_guard<InternalLock> guard(lock_);
  watched_ = nullptr;
}

void *Watchdog::main(void *self) {
  static_cast<Watchdog *>(self)->run();
  return nullptr;
}

void Watchdog::run() {
  for (;;) {
    bool idle = false;
    {
      const std::lock_guard<InternalLock> guard(lock_);
      check();
      if (watched_ == nullptr && ++idle_checks_ > kIdleChecks) {
        sleeping_.store(1, std::memory_order_relaxed);
        idle = true;
      }
    }
    if (idle) {
      while (sleeping_.load(std::memory_order_relaxed) != 0) {
        futex_wait(&sleeping_, 1);
      }
      idle_checks_ = 0;
      continue;
    }
    struct timespec slice{0, kSliceNs};
    futex_wait(&sleeping_, 0, &slice); // a sleep that no watch() needs to interrupt
  }
}

// Called with lock_ held, so the watched execution outlives the check.
void Watchdog::check() {
  if (watched_ == nullptr) {
    return;
  }
  idle_checks_ = 0;
  Execution &execution = *watched_;
  const std::int64_t now = now_ns();
  const bool past_deadline = execution.past_deadline();
  if (past_deadline) {
    execution.request_stop(); // its next step fails the run as Stopped
  }
  const std::uint64_t steps = execution.steps();
  if (generation_ != seen_generation_ || steps != seen_steps_) {
    seen_generation_ = generation_;
    seen_steps_ = steps;
    last_change_ns_ = now;
    stop_sent_ns_ = 0;
    return;
  }
  if (stop_sent_ns_ != 0) {
    if (now - stop_sent_ns_ > kStopPatienceNs) {
      std::fprintf(stderr,
                   "interlace: a task stuck outside the runtime did not stop: it blocks signal "
                   "%d, with which interlace ends it. The test process cannot go on.\n",
                   stop_signal());
      real::abort();
    }
    return;
  }
  const std::int64_t stall_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(execution.allowed_stall(past_deadline))
          .count();
  if (now - last_change_ns_ >= stall_ns && execution.abandon_stuck_fiber()) {
    stop_sent_ns_ = now;
  }
}

} // namespace interlace::rt::detail
