// One execution: a set of managed threads of which exactly one holds the turn. Every yield
// point and every intercepted primitive funnels into step() / block() here, which record the
// step, ask the strategy who goes next, and hand the turn over. All state below is touched
// only by the thread holding the turn (or by the controller while no managed thread runs);
// the turn moves by compare-and-swap on Grant::holder, whose seq_cst accesses order those
// accesses, so no lock is needed.
//
// Speed: what every step writes sits in one cache line (Turn) that travels with the turn,
// the turn word that waiting threads poll sits in another (Grant), written only at handoffs,
// and what a thread records about its own steps sits in its ManagedThread, which no other
// thread writes while it runs; the schedule and the trace are assembled from those logs once
// the execution is over. A step that the strategy already granted (Strategy::repeats) takes
// step_granted(), a handful of instructions.
#pragma once

#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fiber.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/rt/memory.hpp"
#include "models/clock.hpp"
#include "models/locks.hpp"
#include "models/sync_objects.hpp"
#include "parker.hpp"
#include "strategies/fair_strategy.hpp"
#include "thread_pool.hpp"

namespace interlace::rt::detail {

class Worker;
class Execution;

enum class ThreadStatus : std::uint8_t { Runnable, Blocked, Finished };

// A body's fiber (RunOptions::fibers): its stack and, while it is suspended, its context and
// the per-thread values instrumented code and the runtime keep in thread-locals.
struct Fiber {
  FiberStack stack;
  FiberContext context;
  const interlace_site *call_site = nullptr; // __interlace_call_site
  unsigned char library_steps = 0;           // __interlace_library_steps
};

// What a blocked thread waits for. Locks and joins have a holder (a waits-for edge in a
// deadlock report); the others are released only by another thread's action.
enum class WaitKind : std::uint8_t {
  None,
  Mutex,
  Join,
  Cond,       // a condition variable: a signal or broadcast
  ReadLock,   // a rwlock, to read: its writer
  WriteLock,  // a rwlock, to write: its readers or writer
  Spin,       // a spinlock
  Semaphore,  // a sem_t whose count is 0: a sem_post
  Barrier,    // a pthread barrier: the remaining arrivals
  Once,       // a pthread_once another thread is running
  Futex,      // a futex word: a FUTEX_WAKE
  Assumption, // an interlace_assume() that did not hold: nothing wakes it
};

struct WaitTarget {
  WaitKind kind = WaitKind::None;
  const void *object = nullptr;
  bool timed = false; // a timed wait: it times out when nothing else can run
  // For a timed wait, its deadline on the execution's CLOCK_MONOTONIC (see now_ns): the
  // earliest times out first, and the clock jumps to it.
  std::int64_t deadline_ns = INT64_MAX;
  std::uint32_t value = 0; // a futex wait: the value it waits on, for reports
  bool task = false;       // a futex wait of an async task's idle event loop, for reports
};

// Thrown at the point where a managed thread waits when its execution has ended; it unwinds
// the thread's stack. Deliberately not a std::exception, so that ordinary handlers in the
// code under test do not catch it.
struct Teardown {};

// Thrown by pthread_exit() in a managed thread, so that the pooled OS thread survives.
struct ThreadExit {
  void *retval;
};

// A managed thread. Its fields come in two groups, on separate cache lines: what the scheduler
// reads about it at every decision, written only when it blocks, wakes or ends; and what the
// thread writes about itself at every step. Kept apart, a decision on another core reads the
// first group from its own cache instead of pulling the line from the running thread. (The
// padding between the groups is the point.)
struct ManagedThread { // NOLINT(clang-analyzer-optin.performance.Padding)
  // --- The scheduler's view ---
  int id = 0;
  Execution *execution = nullptr;
  Worker *worker = nullptr; // its OS thread; for a fiber, the host all the fibers run on
  Fiber *fiber = nullptr;   // RunOptions::fibers: the fiber it runs on, else null
  ThreadStatus status = ThreadStatus::Runnable;
  WaitTarget waiting;
  bool timed_out = false; // the last timed wait ended by timing out
  bool detached = false;
  bool joined = false;
  bool unwinding = false;       // a Teardown has been thrown in this thread
  bool force_unwind = false;    // blocked in a teardown with nothing to wake it: throw Teardown
  std::uint32_t free_steps = 0; // yield points passed while running freely in a teardown
  bool exiting = false;         // pthread_exit() was called: unwinding with retval
  std::uint32_t swallowed = 0;  // Teardowns it caught and went on from (an EINTR retry loop)
  // The body: a driver's function, or a pthread start routine and its argument.
  const std::function<void()> *body = nullptr;
  void *(*start_routine)(void *) = nullptr;
  void *arg = nullptr;
  void *retval = nullptr;
  std::uint64_t wait_seq = 0;     // when it blocked: wakeups go first come first
  std::uint32_t futex_bitset = 0; // a futex wait's FUTEX_WAIT_BITSET mask
  // Cooperative runs: the co_await it passed, until its coroutine goes on past it or the task is
  // back at its loop (rt::await_in_progress); null otherwise. While set, its steps are decided,
  // not taken on the fast path: the co_await's switch point is at one of them.
  const interlace_site *await_site = nullptr;

  // --- What it writes at every step ---
  // Set while runtime code runs on this thread. The linker keeps one copy of each inline
  // function, and it may be the instrumented one from the code under test, so the runtime's
  // own calls into libstdc++ can reach yield points and interceptors: those pass through.
  alignas(64) bool in_runtime = false;
  // In a driver's hidden stretch (interlace_hide_begin): in_runtime is set too, but the clock
  // it reads is still the execution's, as the code around the stretch reads it.
  bool hidden = false;
  Event announced;                           // the step it announced last: it executes it next
  const interlace_site *last_site = nullptr; // the latest step with a source location
  // The last executed steps, a ring indexed by executed_steps, for livelock reports.
  static constexpr std::size_t kRecentSteps = 8;
  std::array<Event, kRecentSteps> recent_steps{};
  std::uint64_t executed_steps = 0;
  // Its own log of the execution: the index of the first step of each of its runs, its
  // latest step's index, and (when tracing) every step it executed. Execution::run() merges
  // the threads' logs into the schedule and the trace; they keep their capacity across
  // executions.
  std::vector<std::uint64_t> run_starts;
  std::uint64_t last_step = 0;
  std::vector<Event> executed;
};

// The managed thread running on the calling OS thread, or null. Read inline at every yield
// point: __thread (no dynamic initialiser, so no TLS wrapper call) and initial-exec (one
// %fs-relative load, the runtime is loaded with the program).
extern __thread __attribute__((tls_model("initial-exec"))) ManagedThread *t_current;
inline ManagedThread *current_thread() noexcept { return t_current; }

// "a.cpp:12" for a site with a line (the file without its directories), else "an unknown
// location".
std::string site_text(const interlace_site *site);
// "0x1234", for reports.
std::string address_text(const void *address);

// Marks runtime code on a managed thread for its scope (see ManagedThread::in_runtime).
class RuntimeSection {
public:
  explicit RuntimeSection(ManagedThread &thread) : thread_(thread), outer_(thread.in_runtime) {
    thread_.in_runtime = true;
  }
  ~RuntimeSection() { thread_.in_runtime = outer_; }
  RuntimeSection(const RuntimeSection &) = delete;
  RuntimeSection &operator=(const RuntimeSection &) = delete;

private:
  ManagedThread &thread_;
  bool outer_;
};

// Padded on purpose: Grant, Turn and the controller's Parker each have their own cache line.
class Execution { // NOLINT(clang-analyzer-optin.performance.Padding)
public:
  explicit Execution(std::vector<Worker *> &workers);
  Execution(const Execution &) = delete;
  Execution &operator=(const Execution &) = delete;

  // --- Controller side (the thread that called Executor::run) ---------------------------
  Outcome run(std::span<const std::function<void()>> bodies, Strategy &strategy,
              const RunOptions &options);
  bool abandoned() const {
    return (grant_.alarms.load(std::memory_order_acquire) & kAbandoned) != 0;
  }
  // For the Watchdog (watchdog.hpp), from its own thread; the last two also serve the
  // controller's own watch over threads (wait_for_turn_back).
  std::uint64_t steps() const { return turn_.steps.load(std::memory_order_relaxed); }
  bool past_deadline() const { return std::chrono::steady_clock::now() >= options_.deadline; }
  // How long the turn holder may go without a step before the run is abandoned: the stall
  // timeout, or a second once past the deadline.
  std::chrono::milliseconds allowed_stall(bool past_deadline) const {
    return past_deadline ? std::chrono::milliseconds(1000) : options_.stall_timeout;
  }
  void request_stop() { grant_.alarms.fetch_or(kStopRequested, std::memory_order_relaxed); }
  bool abandon_stuck_fiber();
  // RunOptions::library_code_steps of the run under way.
  bool library_code_steps() const { return options_.library_code_steps; }
  // True once the execution failed or was stopped: its threads are being released.
  bool ending() const { return (grant_.alarms.load(std::memory_order_acquire) & kTeardown) != 0; }

  // The last run's steps, assembled when it ended.
  std::vector<StepRecord> trace;
  std::vector<int> schedule;
  std::vector<WakeChoice> wake_choices;              // the waiter choices other than the first
  std::vector<Allocation> *allocation_log = nullptr; // where managed threads log allocations
  int preemptions() const { return turn_.preemptions; }
  std::uint64_t memory_steps() const { return turn_.memory_steps; }
  int num_threads() const { return nthreads_; }
  int num_bodies() const { return nbodies_; }

  // --- Turn-holder side --------------------------------------------------------------
  // A yield point: `self` announces `event` and returns once it may execute it.
  void step(ManagedThread &self, const Event &event) {
    if (!step_granted(self, event)) {
      decide_step(self, event);
      if (options_.cooperative) {
        self.await_site = await_in_progress(self.await_site, event);
      }
    }
  }
  // `self` cannot proceed until `target` changes: hand the turn on and return once woken
  // (then the caller retries) or, for a timed wait, once it timed out (self.timed_out).
  void block(ManagedThread &self, WaitTarget target);
  // Makes every thread waiting on (kind, object) runnable; the caller keeps the turn.
  void wake_all(WaitKind kind, const void *object);
  // Makes up to `count` of them runnable, one at a time, the strategy choosing which among
  // several (by default first blocked first; for a futex, only those whose bitset shares a
  // bit with `bitset`); returns how many.
  int wake_some(WaitKind kind, const void *object, int count, std::uint32_t bitset = ~0U);
  // A new runnable thread, parked before its first step.
  ManagedThread &spawn(void *(*start_routine)(void *), void *arg);
  // The managed thread whose OS thread is `handle`, or null.
  ManagedThread *find(pthread_t handle);
  // The managed thread running on OS thread `tid`, or null.
  ManagedThread *find_by_tid(int tid);

  // The primitive models' state for this execution (models/), reset when it starts.
  LockTable &locks() { return locks_; }
  const LockTable &locks() const { return locks_; }
  SyncTable &sync() { return sync_; }
  const SyncTable &sync() const { return sync_; }
  ExecutionClock &clock() { return clock_; }
  const ExecutionClock &clock() const { return clock_; }

  // For reports (execution_report.hpp): thread `id` of this execution, and its name.
  const ManagedThread &thread(int id) const { return *threads_[static_cast<std::size_t>(id)]; }
  std::string label(int id) const;

  // --- Worker side -------------------------------------------------------------------
  // Runs `self` (not a fiber) from its first turn to its end, then hands the turn on.
  void run_thread(ManagedThread &self);
  // Called from std::terminate, abort(), a failed assert() or exit() in a managed thread:
  // fail the execution with `kind` and end the OS thread there, without unwinding.
  [[noreturn]] void terminate_thread(ManagedThread &self, FailureKind kind, std::string message);
  // Called from interlace_assume() with a condition that does not hold: `self` blocks for good
  // (the others go on, as the C model checkers' __VERIFIER_assume has it), and once nothing
  // can run the execution ends as discarded rather than deadlocked.
  [[noreturn]] void discard(ManagedThread &self);
  // `self` wrote `text` to stderr: the last kStderrTail bytes go into a failure's details.
  void note_stderr(const char *text, std::size_t size);
  // A fiber whose execution was abandoned while it was stuck (abandon_stuck_fiber) goes back to
  // the controller for good; also from the stop signal's handler, which it never returns to.
  [[noreturn]] void leave_abandoned_fiber(ManagedThread &self);
  // Called from the crash handler (signals.cpp): `what` says which signal and why.
  [[noreturn]] void crash_thread(ManagedThread &self, const std::string &what);

private:
  // Grant::holder values besides thread ids.
  static constexpr int kController = -1;
  static constexpr int kAbandonedHolder = -2;
  // Grant::alarms bits: anything that takes every step off the fast path.
  static constexpr std::uint32_t kTeardown = 1;      // failed or stopped: threads run freely
  static constexpr std::uint32_t kAbandoned = 2;     // given up on a stuck thread
  static constexpr std::uint32_t kStopRequested = 4; // the deadline passed

  // Who holds the turn, which the waiting threads poll. Written only at a handoff, so the
  // polling does not slow the steps of the thread that runs.
  struct alignas(64) Grant {
    std::atomic<int> holder{kController};
    std::atomic<std::uint32_t> alarms{0};
  };

  // What every step reads and writes, in one cache line that only the turn holder touches: a
  // handoff moves this line and the Grant line between cores, and little else.
  struct alignas(64) Turn {
    int current = -1;             // the thread that executed the latest step
    std::uint32_t run_length = 0; // its consecutive steps so far
    // Steps executed; also read by the controller's stall watchdog.
    std::atomic<std::uint64_t> steps{0};
    // Further steps of `current` that need no decision (Strategy::repeats, capped by the
    // fairness quantum and the step cap); cleared when any thread's runnability changes.
    std::uint64_t granted = 0;
    std::uint64_t memory_steps = 0;
    int preemptions = 0;
  };

  // The fast path of step(): a step the strategy granted ahead, or a cooperative thread's step
  // that is no switch point, when nothing is amiss.
  bool step_granted(ManagedThread &self, const Event &event) {
    // A sched_yield or sleep is always decided: a strategy may end a spinner's run there.
    if (grant_.alarms.load(std::memory_order_acquire) != 0 || self.exiting ||
        event.kind == EventKind::Sleep) {
      return false;
    }
    if (turn_.granted != 0) {
      --turn_.granted;
    } else if (!keeps_turn_cooperatively(self, event)) {
      return false;
    }
    ++turn_.run_length;
    turn_.steps.store(turn_.steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    announce(self, event);
    log_executed(self);
    return true;
  }
  // RunOptions::cooperative: the strategy would answer `self` again (the decision's current
  // thread, runnable as it runs), and the step cap is not reached (next_turn's livelock).
  bool keeps_turn_cooperatively(const ManagedThread &self, const Event &event) const {
    return options_.cooperative && event.kind != EventKind::Switch &&
           event.kind != EventKind::Marker && self.await_site == nullptr &&
           self.id == turn_.current &&
           turn_.steps.load(std::memory_order_relaxed) < options_.max_steps;
  }
  // pick() results besides thread ids: nobody can run, the strategy stopped the run, or it
  // made an impossible choice (strategy_error_ says which), or discarded the run. next_turn()
  // adds kEnded: the execution failed or stopped there.
  static constexpr int kNobody = -1;
  static constexpr int kStrategyStop = -3;
  static constexpr int kStrategyError = -4;
  static constexpr int kEnded = -5;
  static constexpr int kStrategyDiscard = -6;
  // Yield points a thread may pass while running freely in a teardown before it is unwound.
  static constexpr std::uint32_t kFreeRunSteps = 4096;
  // Teardowns a thread may swallow (catch and carry on, as an EINTR retry loop around a futex
  // wait does) before it is ended where it stands.
  static constexpr std::uint32_t kSwallowedTeardowns = 8;

  void decide_step(ManagedThread &self, const Event &event);
  void announce(ManagedThread &self, const Event &event) {
    self.announced = event;
    if (event.site != nullptr && (event.site->flags & INTERLACE_SITE_SYSTEM_HEADER) == 0) {
      self.last_site = event.site; // where the user's code was, for reports
    }
    if (is_memory_access(event.kind) || event.kind == EventKind::Fence) {
      ++turn_.memory_steps;
    }
  }
  // `self` executes the latest recorded step: it logs the step in its own memory.
  void log_executed(ManagedThread &self) {
    const std::uint64_t index = turn_.steps.load(std::memory_order_relaxed) - 1;
    if (self.run_starts.empty() || self.last_step + 1 != index) {
      const RuntimeSection section(self); // the vector may grow (see in_runtime)
      self.run_starts.push_back(index);
    }
    self.last_step = index;
    self.recent_steps[self.executed_steps++ % ManagedThread::kRecentSteps] = self.announced;
    if (options_.record_trace) {
      const RuntimeSection section(self);
      self.executed.push_back(self.announced);
    }
  }
  void resume_executing(ManagedThread &self);
  void assemble_logs();
  ManagedThread &add_thread(bool fiber = false);
  void run_body(ManagedThread &self);
  static void fiber_main(void *thread);
  bool is_fiber(int id) const { return id >= 0 && id < nfibers_; }
  void host_here();
  bool run_fibers(int holder);
  void wake_holder(int next);
  void fiber_hand_over(ManagedThread &self, int next);
  void switch_fiber(FiberContext &from, ManagedThread *leaving, FiberContext &to,
                    ManagedThread *entering);
  bool runnable(int id) const;
  void set_status(ManagedThread &thread, ThreadStatus status);
  int pick();
  int pick_timeout();
  int choose_waiter(WakeKind kind, std::span<const int> waiters);
  int next_turn(int self);
  void record(int next);
  void grant_from_controller(int next);
  void pass_turn(ManagedThread &self, int next);
  void return_turn(ManagedThread &self);
  void switch_to(ManagedThread &self, int next);
  void wait_for_turn(ManagedThread &self);
  void leave_if_abandoned();
  void report_stuck(int holder, const std::string &doing, bool stopped);
  void after_park(ManagedThread &self);
  void run_free(ManagedThread &self);
  [[noreturn]] void end_thread(ManagedThread &self);

  void wait_during_teardown(ManagedThread &self);
  void fail(FailureKind kind, int thread, std::string message, std::string details);
  void set_failure(FailureKind kind, int thread, std::string message, std::string details);
  void end_stuck(int thread, std::string message);
  void thread_ended(ManagedThread &self);
  bool bodies_finished() const;
  void end_leaving_waiters();
  bool wait_for_turn_back();
  bool await_turn();
  void teardown_remaining();
  bool abandon();
  static bool stop_stuck_worker(Worker &worker);

  Grant grant_;
  Turn turn_;

  std::vector<Worker *> &workers_;
  std::vector<std::unique_ptr<ManagedThread>> threads_;
  int nthreads_ = 0;
  int nbodies_ = 0; // threads 0..nbodies_-1 run the driver's bodies; the rest they started
  // RunOptions::fibers: threads 0..nfibers_-1 are fibers on the controller's thread, their
  // Worker; their fibers and stacks are kept from run to run.
  int nfibers_ = 0;
  std::vector<std::unique_ptr<Fiber>> fibers_;
  struct Host {
    Worker worker;        // the controller's OS thread, as the fibers' worker
    FiberContext context; // the controller's own, while a fiber runs
  };
  Host host_;
  // The handoff a fiber asked the controller to make: from that fiber (-1: none, the execution
  // was abandoned) to host_to_ (the controller, or a thread on an OS thread of its own).
  int host_from_ = 0;
  int host_to_ = 0;
  std::vector<const Event *> announced_; // each thread's ManagedThread::announced
  std::vector<int> candidates_;          // for executions with more threads than pick() inlines
  std::vector<int> sleepers_;            // Decision::sleepers, with spurious wakeups
  std::vector<int> waiters_;             // a wake decision's candidates
  std::vector<std::size_t> merge_runs_;  // assemble_logs()'s cursors, kept for their capacity
  std::vector<std::size_t> merge_events_;
  LockTable locks_;
  SyncTable sync_;
  ExecutionClock clock_;
  // What the execution's threads wrote to stderr, its last kStderrTail bytes.
  static constexpr std::size_t kStderrTail = 2048;
  std::string stderr_tail_;
  std::uint64_t wait_seq_ = 0;
  std::uint64_t wake_decisions_ = 0; // wake decisions made so far (WakeChoice::ordinal)

  Strategy *strategy_ = nullptr; // the driver's strategy, which fair_ wraps and asks
  FairStrategy fair_;
  std::string strategy_error_; // what the strategy's impossible choice was
  RunOptions options_;
  Outcome outcome_;
  alignas(64) Parker controller_;
};

} // namespace interlace::rt::detail
