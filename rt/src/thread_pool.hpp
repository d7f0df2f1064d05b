// Pooled OS threads for managed threads: an execution must not pay for thread creation.
// An idle worker waits on its Parker for a task: a managed thread to run, which then waits
// for its execution to hand it the turn.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "internal_lock.hpp"
#include "parker.hpp"

namespace interlace::rt::detail {

struct ManagedThread;

class Worker {
public:
  Parker parker;
  // Set by the controller, taken by the worker. Then wake the parker.
  std::atomic<ManagedThread *> task{nullptr};
  pthread_t handle{};
  std::atomic<int> tid{0};
  // Ended by a raw thread exit, or ends after its task (sanitizers.hpp); join it, never
  // reuse it.
  std::atomic<bool> dead{false};
  std::atomic<bool> lost{false};    // stuck outside the runtime in an abandoned execution
  std::atomic<bool> stopped{false}; // lost, then ended by the stop signal: join it after all
  std::atomic<bool> retire{false};  // set by the pool on an idle worker: return and be joined
  // ... with a raw exit (raw_exit_thread): none of glibc's thread exit work (see
  // end_idle_workers).
  std::atomic<bool> retire_raw{false};
  // Set up by its own thread (signals.hpp): where a crash handler runs, and the lowest address
  // of its stack, to tell a stack overflow from other faults.
  void *signal_stack = nullptr;
  // A sanitizer's thread start ran on it: the sanitizer unmaps the signal stack itself.
  std::atomic<bool> signal_stack_adopted{false};
  std::uintptr_t stack_low = 0;
};

// Workers are handed out by acquire() (an Execution takes one per managed thread, and its
// Executor keeps them for all its runs) and come back by release() (when the Executor is
// destroyed or abandons an execution).
//
// How many idle workers the pool keeps: at least kMinIdleWorkers, and otherwise what the last
// two generations both needed. A generation lasts while some worker is out (from an acquire()
// when none was out to the release() that brings the last one back, typically one Executor's
// lifetime); its need is the most workers out at once. Keeping the smaller of the current and
// the previous generation's need means an Executor per run of the same size (TraceExecutor)
// reuses the same OS threads from its second run on, while one big exploration does not pin
// its threads: when its Executor returns them, the previous generation was small, so the
// surplus is ended and joined there and then. Two big generations in a row keep theirs until
// a small one follows.
class ThreadPool {
public:
  static constexpr std::size_t kMinIdleWorkers = 64;

  static ThreadPool &instance();

  // An idle worker, started now if none is idle.
  Worker *acquire();
  // Returns a worker after its execution ended. Dead workers are joined and freed; lost
  // ones are forgotten (they still run, so their memory must stay valid). Idle workers beyond
  // the cap above are ended and joined before this returns.
  void release(Worker *worker);
  // Ends and joins every idle worker, each with a raw exit: glibc's exit work (giving back
  // the thread's malloc cache, running TLS destructors) would walk memory a buggy execution
  // may have corrupted (a write to a freed block in that cache aborts the process), and the
  // caller puts that memory back as it was anyway.
  void end_idle_workers();
  // OS threads the pool has started and not yet reclaimed.
  int live_workers() const { return live_.load(std::memory_order_relaxed); }

private:
  static void *worker_main(void *arg);
  // Takes the idle workers beyond the cap out of idle_ (call with lock_ held); end_workers()
  // then ends and joins them, without the lock.
  std::vector<Worker *> take_surplus_locked();
  void end_workers(const std::vector<Worker *> &workers);

  InternalLock lock_;
  std::vector<Worker *> idle_;
  std::size_t out_ = 0;           // acquired and not yet released
  std::size_t need_ = 0;          // most workers out at once in this generation
  std::size_t previous_need_ = 0; // the same for the previous generation
  std::atomic<int> live_{0};
};

} // namespace interlace::rt::detail
