// Pooled OS threads for managed threads: an execution must not pay for thread creation.
// An idle worker waits on its Parker for a task: a managed thread to run, which then waits
// for its execution to hand it the turn.
#pragma once

#include <pthread.h>

#include <atomic>
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
  // Set up by its own thread (signals.hpp): where a crash handler runs, and the lowest address
  // of its stack, to tell a stack overflow from other faults.
  void *signal_stack = nullptr;
  std::uintptr_t stack_low = 0;
};

class ThreadPool {
public:
  static ThreadPool &instance();

  // An idle worker, started now if none is idle.
  Worker *acquire();
  // Returns a worker after its execution ended. Dead workers are joined and freed; lost
  // ones are forgotten (they still run, so their memory must stay valid).
  void release(Worker *worker);
  // OS threads the pool has started and not yet reclaimed.
  int live_workers() const { return live_.load(std::memory_order_relaxed); }

private:
  static void *worker_main(void *arg);

  InternalLock lock_;
  std::vector<Worker *> idle_;
  std::atomic<int> live_{0};
};

} // namespace interlace::rt::detail
