// Runs a set of thread bodies as managed threads, one at a time, switching only at yield
// points as a Strategy decides. This is the runtime's entry point for drivers (explore/);
// code under test never calls it.
//
//   interlace::rt::Executor executor;
//   interlace::rt::SeededChoiceSource choices(42);
//   interlace::rt::ChoiceStrategy strategy(choices, /*max_ops=*/300);
//   std::vector<std::function<void()>> bodies = {[&] { counter.increment(); },
//                                                [&] { counter.increment(); }};
//   interlace::rt::Outcome outcome = executor.run(bodies, strategy);
//   // executor.trace(), executor.schedule(), executor.preemptions() describe the run.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "interlace/rt/event.hpp"
#include "interlace/rt/memory.hpp"
#include "interlace/rt/strategy.hpp"

namespace interlace::rt {

// How an execution ended when it did not simply complete.
enum class FailureKind : std::uint8_t {
  None,          // every managed thread finished
  Exception,     // an exception escaped a managed thread (or it called std::terminate or
                 // abort(), or failed an assert())
  Deadlock,      // a thread blocked and no managed thread could run
  Livelock,      // the step cap was reached
  Timeout,       // no step for RunOptions::stall_timeout: a thread is stuck outside any yield
                 // point (in a blocking system call or an uninstrumented loop); it was ended
  Crash,         // a managed thread received SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT (a
                 // stack overflow included); the thread ended where it crashed
  Exit,          // a managed thread called exit(), _exit(), _Exit() or quick_exit(); the
                 // process goes on, the thread ended there
  Stopped,       // RunOptions::deadline passed and the run was cut short (not a failure)
  StrategyError, // the strategy named a thread that cannot run or a waiter that does not
                 // exist; the run was cut short there (a failure of the driver, not of the
                 // code under test)
  Discarded,     // an interlace_assume() did not hold, or the strategy found the run redundant
                 // (Strategy::kDiscard): cut short there, neither a failure nor a complete run
};

const char *to_string(FailureKind kind);

struct Outcome {
  FailureKind failure = FailureKind::None;
  int thread = -1;              // the thread that threw, blocked last, or held the turn at the end
  std::string message;          // one line, e.g. "thread 1 threw std::runtime_error: boom"
  std::string details;          // further lines (each thread's wait in a deadlock), may be empty
  std::exception_ptr exception; // for FailureKind::Exception: what the thread threw, if any

  // True when the code under test failed; a stopped or discarded run, or one the strategy
  // cut short by an impossible choice, did not fail.
  bool failed() const {
    return failure != FailureKind::None && failure != FailureKind::Stopped &&
           failure != FailureKind::StrategyError && failure != FailureKind::Discarded;
  }
};

struct RunOptions {
  std::uint64_t max_steps = 100000;    // total steps before the run is a livelock
  std::uint32_t fairness_quantum = 32; // steps a thread keeps the turn without a strategy
  bool record_trace = true;            // keep a StepRecord per step
  // Past this point the run is stopped at its next step and unwound (FailureKind::Stopped).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // A run in which no step happens for this long is abandoned (FailureKind::Timeout); once
  // past the deadline, one second without a step is enough.
  std::chrono::milliseconds stall_timeout = std::chrono::seconds(10);
  // Names for threads 0.. in reports ("thread N" for the others). Must outlive run().
  std::span<const std::string> thread_names;
  // Let the strategy wake threads blocked on a condition variable spuriously, as POSIX allows
  // (Decision::sleepers). Off: a condvar wait returns only when signalled or timed out.
  bool spurious_wakeups = false;
  // Yield points in third-party library code (a site flagged INTERLACE_SITE_LIBRARY_CODE: Asio's,
  // Boost's, TBB's headers) are steps. Off for async tasks, which run cooperatively: the
  // library's plumbing between two switch points is nothing a task switch can split.
  bool library_code_steps = true;
  // Cooperative threads (async tasks' event loops): the strategy answers "the current thread"
  // at every step of that thread but a switch point (EventKind::Switch or Marker) or a sleep,
  // as explore's CooperativeStrategy does, so the runtime does not ask it there. The steps are
  // recorded as before; only the decision is skipped.
  bool cooperative = false;
  // Runs the bodies as fibers on one OS thread, their stacks switched in user space: the turn
  // passes between them with no system call and no core given away. They then share that
  // thread's thread-locals, as the tasks of one io_context thread do (async tasks' event loops
  // run this way). Threads the bodies start are OS threads as always. Ignored under a
  // sanitizer that tracks thread stacks (ASan, MSan), which a switch behind its back confuses.
  bool fibers = false;
};

namespace detail {
class Execution;
class Worker;
} // namespace detail

class Executor {
public:
  Executor();
  ~Executor();
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;

  // Runs `bodies` as managed threads 0..n-1 and returns when all of them (and every thread
  // they started) have finished, or the execution failed and every thread was unwound.
  // Must be called from a thread that is not itself managed.
  Outcome run(std::span<const std::function<void()>> bodies, Strategy &strategy,
              const RunOptions &options = {});

  // The last run's executed steps (empty unless record_trace), its schedule (the thread of
  // every step), the switches away from a still-runnable thread, and its thread count.
  std::span<const StepRecord> trace() const;
  std::span<const int> schedule() const;
  // The last run's choices of waiter other than the first (Strategy::choose_waiter); with the
  // schedule, what a ReplayStrategy needs to repeat the run.
  std::span<const WakeChoice> wake_choices() const;
  int preemptions() const;
  int num_threads() const;
  // Yield points that announced a memory access (read, write, rmw, fence) in the last run.
  std::uint64_t memory_steps() const;

  // From the next run on, allocations by managed threads are appended to `log` (null: none).
  void set_allocation_log(std::vector<Allocation> *log) { allocation_log_ = log; }

private:
  void replace_dead_workers();

  std::vector<detail::Worker *> workers_; // thread i of every run uses workers_[i]
  std::unique_ptr<detail::Execution> execution_;
  std::vector<Allocation> *allocation_log_ = nullptr;
};

// True when the calling thread is managed by an execution.
bool in_managed_thread() noexcept;

// The index of the driver's body (0..n-1 of Executor::run's bodies) that the calling managed
// thread runs, or -1 (not a managed thread, or a thread a body started).
int current_body() noexcept;

// OS threads the runtime's worker pool currently owns (idle or in use).
int pooled_worker_count() noexcept;

// Ends and joins the pool's idle OS threads; the next run starts new ones. For a process that
// puts its memory back as it was before a run (interlace run), which must not keep threads
// whose state that memory no longer describes. Call it after the run's Executor is destroyed.
void end_idle_pooled_workers();

} // namespace interlace::rt
