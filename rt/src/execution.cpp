#include "execution.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <thread>
#include <typeinfo>

#include "execution_report.hpp"
#include "fatal.hpp"
#include "futex.hpp"
#include "models/wait_model.hpp"
#include "real.hpp"
#include "sanitizers.hpp"
#include "signals.hpp"
#include "thread_pool.hpp"
#include "watchdog.hpp"

namespace interlace::rt::detail {

__thread __attribute__((tls_model("initial-exec"))) ManagedThread *t_current = nullptr;

namespace {

std::string demangle(const char *name) {
  int status = 0;
  char *text = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && text != nullptr ? text : name;
  std::free(text);
  return result;
}

// "std::runtime_error: boom" for the exception being handled.
std::string describe_current_exception() {
  std::type_info *type = abi::__cxa_current_exception_type();
  std::string text = type != nullptr ? demangle(type->name()) : std::string("unknown exception");
  try {
    throw;
  } catch (const std::exception &e) {
    text += ": ";
    text += e.what();
  } catch (...) {
    return text; // not a std::exception: its type is all we can say
  }
  return text;
}

} // namespace

Execution::Execution(std::vector<Worker *> &workers) : workers_(workers) {}

// ---------------------------------------------------------------------------------------
// Controller side

Outcome Execution::run(std::span<const std::function<void()>> bodies, Strategy &strategy,
                       const RunOptions &options) {
  strategy_ = &strategy;
  fair_.wrap(strategy, options.fairness_quantum);
  options_ = options;
  nthreads_ = 0;
  grant_.holder.store(kController, std::memory_order_relaxed);
  grant_.alarms.store(0, std::memory_order_relaxed);
  turn_.current = -1;
  turn_.run_length = 0;
  turn_.steps.store(0, std::memory_order_relaxed);
  turn_.granted = 0;
  turn_.memory_steps = 0;
  turn_.preemptions = 0;
  outcome_ = Outcome{};
  announced_.clear();
  locks_.clear();
  sync_.clear();
  wait_seq_ = 0;
  stderr_tail_.clear();
  wake_decisions_ = 0;
  strategy_error_.clear();
  clock_.start();
  schedule.clear();
  wake_choices.clear();
  trace.clear();
  fair_.begin();

  // A sanitizer that tracks thread stacks would take a fiber's for a corrupted one.
  const bool fibers = options.fibers && !sanitizer_wraps_thread_starts();
  nfibers_ = fibers ? static_cast<int>(bodies.size()) : 0;
  if (fibers) {
    host_here();
  }
  const WatchedRun watched(*this, fibers); // nobody else sees a fiber stuck on this thread
  for (const auto &body : bodies) {
    add_thread(fibers).body = &body;
  }
  nbodies_ = nthreads_;
  if (nthreads_ == 0) {
    return outcome_;
  }

  const int first = next_turn(-1);
  if (first < 0) {
    teardown_remaining();
    assemble_logs();
    return outcome_;
  }
  grant_from_controller(first);
  if (await_turn()) {
    if (ending()) {
      teardown_remaining();
    }
    // Every thread has ended; a lock one of them still holds (it crashed, exited or was
    // ended in a teardown while holding it, or finished without unlocking) would make the
    // next execution block on a holder that is gone.
    locks_.reset_all([this](int owner) {
      return threads_[static_cast<std::size_t>(owner)]->worker->tid.load(std::memory_order_relaxed);
    });
  }
  assemble_logs();
  return outcome_;
}

// Merges the threads' own logs into the schedule and, when tracing, the trace. Each thread's
// runs are in order, so the run that starts at the next unassembled step is at the head of
// one thread's list; it lasts until another thread's next run starts (the thread's last run:
// until its last step).
void Execution::assemble_logs() {
  const auto count = static_cast<std::size_t>(nthreads_);
  std::vector<std::size_t> &next_run = merge_runs_;
  std::vector<std::size_t> &next_event = merge_events_;
  next_run.assign(count, 0);
  next_event.assign(count, 0);
  const std::uint64_t total = turn_.steps.load(std::memory_order_relaxed);
  schedule.reserve(total);
  std::uint64_t step = 0;
  while (step < total) {
    std::size_t owner = count;
    for (std::size_t id = 0; id < count && owner == count; ++id) {
      const std::vector<std::uint64_t> &starts = threads_[id]->run_starts;
      if (next_run[id] < starts.size() && starts[next_run[id]] == step) {
        owner = id;
      }
    }
    if (owner == count) {
      break; // a step recorded but never executed: the execution was abandoned
    }
    const ManagedThread &thread = *threads_[owner];
    const bool last_run = ++next_run[owner] == thread.run_starts.size();
    std::uint64_t stop = last_run ? thread.last_step + 1 : total;
    for (std::size_t id = 0; id < count; ++id) { // it runs until another thread's run begins
      const std::vector<std::uint64_t> &starts = threads_[id]->run_starts;
      if (next_run[id] < starts.size() && starts[next_run[id]] < stop) {
        stop = starts[next_run[id]];
      }
    }
    for (std::uint64_t i = step; i < stop; ++i) { // reserved: cheaper than a fill-insert
      schedule.push_back(static_cast<int>(owner));
    }
    if (options_.record_trace) {
      std::size_t &event = next_event[owner];
      for (std::uint64_t i = step; i < stop && event < thread.executed.size(); ++i) {
        trace.push_back(StepRecord{static_cast<int>(owner), thread.executed[event++]});
      }
    }
    step = stop;
  }
}

// Waits for the turn to come back to the controller; false when the execution had to be
// abandoned instead.
bool Execution::await_turn() {
  for (;;) {
    const int holder = grant_.holder.load(std::memory_order_seq_cst);
    if (holder == kController) {
      return true;
    }
    if (is_fiber(holder)) {
      if (!run_fibers(holder)) {
        return false; // abandoned while a fiber was stuck (Watchdog)
      }
    } else if (!wait_for_turn_back() && abandon()) {
      return false;
    }
  }
}

// Waits until a managed thread hands the turn back to the controller. Past the deadline it
// asks the running thread to stop at its next step. Returns false when no step happened for
// the stall timeout (one second once past the deadline): a thread is stuck outside the runtime.
bool Execution::wait_for_turn_back() {
  using Clock = std::chrono::steady_clock;
  constexpr auto kSlice = std::chrono::milliseconds(50);
  std::uint64_t last_progress = turn_.steps.load(std::memory_order_relaxed);
  Clock::time_point last_change = Clock::now();
  for (;;) {
    const Clock::time_point now = Clock::now();
    const Clock::time_point wake =
        options_.deadline > now ? std::min(options_.deadline, now + kSlice) : now + kSlice;
    if (controller_.wait_until(
            [this] {
              const int holder = grant_.holder.load(std::memory_order_seq_cst);
              return holder == kController || is_fiber(holder);
            },
            wake)) {
      return true;
    }
    const Clock::time_point after = Clock::now();
    const bool past_deadline = after >= options_.deadline;
    if (past_deadline) {
      request_stop();
    }
    const std::uint64_t progress = turn_.steps.load(std::memory_order_relaxed);
    if (progress != last_progress) {
      last_progress = progress;
      last_change = after;
      continue;
    }
    const std::chrono::milliseconds stall = allowed_stall(past_deadline);
    if (after - last_change >= stall) {
      return false;
    }
  }
}

ManagedThread &Execution::add_thread(bool fiber) {
  const int id = nthreads_++;
  if (threads_.size() < static_cast<std::size_t>(nthreads_)) {
    threads_.push_back(std::make_unique<ManagedThread>());
  }
  while (!fiber && workers_.size() < static_cast<std::size_t>(nthreads_)) {
    workers_.push_back(ThreadPool::instance().acquire()); // thread i uses workers_[i]
  }
  ManagedThread &thread = *threads_[id];
  std::vector<std::uint64_t> run_starts = std::move(thread.run_starts);
  std::vector<Event> executed = std::move(thread.executed);
  thread = ManagedThread{};
  thread.run_starts = std::move(run_starts);
  thread.run_starts.clear();
  thread.executed = std::move(executed);
  thread.executed.clear();
  thread.id = id;
  thread.execution = this;
  if (fiber) {
    thread.worker = &host_.worker;
    if (fibers_.size() <= static_cast<std::size_t>(id)) {
      fibers_.push_back(std::make_unique<Fiber>());
    }
    Fiber &own = *fibers_[static_cast<std::size_t>(id)];
    own.stack.prepare(own.context, &Execution::fiber_main, &thread);
    own.call_site = nullptr;
    own.library_steps = 0;
    thread.fiber = &own;
  } else {
    thread.worker = workers_[id];
    thread.worker->task.store(&thread, std::memory_order_seq_cst);
    thread.worker->parker.wake();
  }
  announced_.push_back(&thread.announced);
  turn_.granted = 0; // a new runnable thread
  return thread;
}

// Releases every thread that has not finished, one at a time so that destructors still see a
// single running thread (see run_free). Highest id first: children before the parents that
// join them. A thread that blocks hands the turn back and is resumed once what it waits for
// is released; when every remaining thread is blocked, a timed wait times out, or else the
// highest thread is made to unwind out of its wait (a mutex lock then fails with EDEADLK,
// which libstdc++ turns into an ordinary exception).
void Execution::teardown_remaining() {
  for (;;) {
    int chosen = -1;
    for (int id = nthreads_ - 1; id >= 0 && chosen < 0; --id) {
      if (threads_[id]->status == ThreadStatus::Runnable) {
        chosen = id;
      }
    }
    if (chosen < 0) {
      chosen = pick(); // no runnable thread: times out the earliest timed wait, if any
    }
    // Prefer a wait that an exception can leave (a lock, a join, a condvar): unwinding that
    // thread may release what the others wait for, and it runs its destructors.
    for (int pass = 0; pass < 2 && chosen < 0; ++pass) {
      for (int id = nthreads_ - 1; id >= 0 && chosen < 0; --id) {
        ManagedThread &thread = *threads_[id];
        if (thread.status == ThreadStatus::Blocked &&
            (pass == 1 || wait_model(thread.waiting).unwinds_cleanly())) {
          set_status(thread, ThreadStatus::Runnable);
          thread.force_unwind = true;
          chosen = id;
        }
      }
    }
    if (chosen < 0) {
      return;
    }
    grant_from_controller(chosen);
    if (!await_turn()) {
      return;
    }
  }
}

// A managed thread held the turn for the stall timeout without reaching a yield point: it is
// stuck in code we do not control. Threads parked in the runtime are told to end themselves,
// and the stuck one is ended with the stop signal (signals.hpp), so that nothing of the
// execution keeps running or spinning; this Execution is never freed all the same (a thread
// that blocks the signal may still come back). Returns false when the turn came back at the
// last moment after all.
bool Execution::abandon() {
  const int holder = grant_.holder.exchange(kAbandonedHolder, std::memory_order_seq_cst);
  if (holder == kController) {
    grant_.holder.store(kController, std::memory_order_relaxed);
    return false;
  }
  grant_.alarms.fetch_or(kAbandoned, std::memory_order_seq_cst);
  ManagedThread &stuck = *threads_[holder];
  const std::string doing =
      describe_stuck_thread(stuck.worker->tid.load(std::memory_order_relaxed));
  // Statuses of the others are stable: only the holder changes them, and it is stuck.
  for (int id = 0; id < nthreads_; ++id) {
    ManagedThread &thread = *threads_[id];
    if (id == holder) {
      thread.worker->lost.store(true, std::memory_order_release);
    } else if (thread.status != ThreadStatus::Finished) {
      thread.worker->dead.store(true, std::memory_order_release);
      thread.worker->parker.wake();
    }
  }
  const bool stopped = stop_stuck_worker(*stuck.worker);
  report_stuck(holder, doing, stopped);
  return true;
}

// The run's failure once thread `holder`, doing `doing`, was found stuck (and ended, if
// `stopped`).
void Execution::report_stuck(int holder, const std::string &doing, bool stopped) {
  const ManagedThread &stuck = *threads_[static_cast<std::size_t>(holder)];
  const std::string stall = std::to_string(options_.stall_timeout.count());
  set_failure(FailureKind::Timeout, holder,
              "timeout: thread " + std::to_string(holder) + " made no step for " + stall +
                  " ms: it is " + doing,
              "  its last yield point was " + site_text(stuck.last_site) +
                  "\n  interlace switches threads only at yield points and intercepted calls, so "
                  "it cannot run the other threads while this one waits or spins in code it "
                  "does not see. Compile that code with the interlace pass (interlace_instrument "
                  "or -fpass-plugin), or make what it waits for (a pipe, a socket, a child "
                  "process) ready before the threads start. ExploreOptions::stall_timeout (now " +
                  stall +
                  " ms) says how long a thread may go without a step: lower it to fail such "
                  "runs sooner, raise it for slow uninstrumented code that does finish.\n" +
                  (stopped ? "  the thread was ended; the run is not replayed.\n"
                           : "  the thread blocks the signal that would end it (" +
                                 std::to_string(stop_signal()) +
                                 "), so its OS thread is left behind.\n"));
}

// The Watchdog's abandon(), for a fiber that holds the turn and made no step for the stall
// timeout: the controller's own thread is stuck in it. Once the turn can no longer move and the
// failure is written, the stop signal makes the controller leave the fiber for good
// (leave_abandoned_fiber). False when the turn was not a fiber's.
bool Execution::abandon_stuck_fiber() {
  int holder = grant_.holder.load(std::memory_order_seq_cst);
  if (!is_fiber(holder) ||
      !grant_.holder.compare_exchange_strong(holder, kAbandonedHolder, std::memory_order_seq_cst)) {
    return false;
  }
  report_stuck(holder, describe_stuck_thread(host_.worker.tid.load(std::memory_order_relaxed)),
               true);
  grant_.alarms.fetch_or(kAbandoned,
                         std::memory_order_seq_cst); // after the failure: see run_fibers
  for (int id = nfibers_; id < nthreads_; ++id) {    // threads the fibers started: parked
    ManagedThread &thread = *threads_[static_cast<std::size_t>(id)];
    if (thread.status != ThreadStatus::Finished) {
      thread.worker->dead.store(true, std::memory_order_release);
      thread.worker->parker.wake();
    }
  }
  pthread_kill(host_.worker.handle, stop_signal());
  return true;
}

// Ends a lost worker's thread with the stop signal; true once it has ended.
bool Execution::stop_stuck_worker(Worker &worker) {
  if (pthread_kill(worker.handle, stop_signal()) != 0) {
    return false;
  }
  constexpr auto kPatience = std::chrono::seconds(1);
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (!worker.stopped.load(std::memory_order_acquire)) {
    if (std::chrono::steady_clock::now() >= until) {
      return false;
    }
    real::sched_yield();
  }
  worker.lost.store(false, std::memory_order_release);
  worker.dead.store(true, std::memory_order_release); // joined and replaced like any dead one
  return true;
}

// ---------------------------------------------------------------------------------------
// Scheduling

bool Execution::runnable(int id) const { return threads_[id]->status == ThreadStatus::Runnable; }

void Execution::set_status(ManagedThread &thread, ThreadStatus status) {
  thread.status = status;
  turn_.granted = 0; // the strategy's answer may differ now
}

// Who executes the next step: a thread id, or kNobody, kStrategyStop, kStrategyDiscard or
// kStrategyError. Also sets turn_.granted: the steps after it that need no decision.
int Execution::pick() {
  turn_.granted = 0;
  // Candidates live on this thread's stack unless there are many: a member vector would be
  // one more cache line moving between cores at every handoff.
  constexpr int kInline = 16;
  // Not zeroed: only the first `count` entries are read, each written first.
  std::array<int, kInline> inline_candidates; // NOLINT(cppcoreguidelines-pro-type-member-init)
  int *candidates = inline_candidates.data();
  if (nthreads_ > kInline) {
    candidates_.resize(static_cast<std::size_t>(nthreads_));
    candidates = candidates_.data();
  }
  const int current = turn_.current;
  std::size_t count = 0;
  if (current >= 0 && runnable(current)) {
    candidates[count++] = current;
  }
  // The others in id order from the one after `current`, wrapping (no division: this runs at
  // every handoff).
  for (int id = current + 1; id < nthreads_; ++id) {
    if (runnable(id)) {
      candidates[count++] = id;
    }
  }
  for (int id = 0; id < current; ++id) {
    if (runnable(id)) {
      candidates[count++] = id;
    }
  }
  if (count == 0) {
    return pick_timeout();
  }
  std::span<const int> sleepers;
  if (options_.spurious_wakeups && !ending()) {
    sleepers_.clear();
    for (int id = 0; id < nthreads_; ++id) {
      if (threads_[id]->status == ThreadStatus::Blocked &&
          threads_[id]->waiting.kind == WaitKind::Cond) {
        sleepers_.push_back(id);
      }
    }
    sleepers = sleepers_;
  }
  const std::span<const int> runnable_ids(candidates, count);
  const std::optional<int> choice =
      fair_.next(Decision{turn_.steps.load(std::memory_order_relaxed), current, runnable_ids,
                          AnnouncedSteps(announced_), turn_.run_length, sleepers});
  if (choice == Strategy::kStop) {
    return kStrategyStop;
  }
  if (choice == Strategy::kDiscard) {
    return kStrategyDiscard;
  }
  const int chosen = choice.value_or(kNobody); // the fairness policy always answers
  if (chosen >= 0 && chosen < nthreads_ && runnable(chosen)) {
    turn_.granted = fair_.repeats();
    return chosen;
  }
  if (std::ranges::find(sleepers, chosen) != sleepers.end()) {
    ManagedThread &sleeper = *threads_[chosen];
    set_status(sleeper, ThreadStatus::Runnable); // a spurious wakeup: its wait returns
    sleeper.waiting = WaitTarget{};
    return chosen;
  }
  strategy_error_ =
      "the strategy chose " +
      (chosen >= 0 && chosen < nthreads_
           ? label(chosen) + ", which " +
                 (threads_[chosen]->status == ThreadStatus::Finished ? std::string("has finished")
                                                                     : "is blocked")
           : "thread " + std::to_string(chosen) + ", which does not exist") +
      ", at step " + std::to_string(turn_.steps.load(std::memory_order_relaxed));
  return kStrategyError;
}

// Nothing can run: model time passing, so that a timed wait times out, the strategy choosing
// which when several could (by default the earliest deadline, then the lowest id). The clock
// jumps to its deadline; the others stay blocked, as a thread whose timeout has passed may
// not have been woken yet. Returns the thread or kNobody.
int Execution::pick_timeout() {
  waiters_.clear();
  for (int id = 0; id < nthreads_; ++id) {
    const ManagedThread &thread = *threads_[id];
    if (thread.status == ThreadStatus::Blocked && thread.waiting.timed) {
      waiters_.push_back(id);
    }
  }
  if (waiters_.empty()) {
    return kNobody;
  }
  std::ranges::sort(waiters_, [this](int a, int b) {
    const std::int64_t da = threads_[a]->waiting.deadline_ns;
    const std::int64_t db = threads_[b]->waiting.deadline_ns;
    return da != db ? da < db : a < b;
  });
  const int index = choose_waiter(WakeKind::Timeout, waiters_);
  if (index < 0) {
    return kStrategyError;
  }
  ManagedThread &thread = *threads_[waiters_[static_cast<std::size_t>(index)]];
  clock_.advance_to(thread.waiting.deadline_ns);
  set_status(thread, ThreadStatus::Runnable);
  thread.waiting = WaitTarget{};
  thread.timed_out = true;
  return thread.id;
}

// The strategy's choice among `waiters` (at least one), as an index; -1 (strategy_error_ set)
// for an answer out of range. During a teardown the first is taken without asking.
int Execution::choose_waiter(WakeKind kind, std::span<const int> waiters) {
  if (waiters.size() < 2 || ending()) {
    return 0;
  }
  const std::uint64_t ordinal = wake_decisions_++;
  const std::size_t index =
      fair_.choose_waiter(WakeDecision{turn_.steps.load(std::memory_order_relaxed), kind, waiters});
  if (index >= waiters.size()) {
    strategy_error_ = "the strategy chose waiter " + std::to_string(index) + " of " +
                      std::to_string(waiters.size()) + " at step " +
                      std::to_string(turn_.steps.load(std::memory_order_relaxed));
    return -1;
  }
  if (index != 0) {
    wake_choices.push_back(WakeChoice{ordinal, static_cast<std::uint32_t>(index)});
  }
  return static_cast<int>(index);
}

// Decides and records who executes the next step, on behalf of `self` (-1: the controller).
// Returns the thread, kNobody (nothing can run; the caller says why that is a deadlock or the
// end), or kEnded once the run failed here: the strategy stopped it or made an impossible
// choice, or the step cap was reached.
int Execution::next_turn(int self) {
  const int next = pick();
  if (next == kStrategyStop) {
    fail(FailureKind::Stopped, self, strategy_->stop_reason(), describe_threads(*this));
    return kEnded;
  }
  if (next == kStrategyDiscard) {
    fail(FailureKind::Discarded, self, "discarded by the strategy: " + strategy_->stop_reason(),
         {});
    return kEnded;
  }
  if (next == kStrategyError) {
    fail(FailureKind::StrategyError, self, "strategy error: " + strategy_error_,
         describe_threads(*this));
    return kEnded;
  }
  if (next == kNobody) {
    return kNobody;
  }
  if (turn_.steps.load(std::memory_order_relaxed) >= options_.max_steps) {
    fail(FailureKind::Livelock, self,
         "livelock: the step cap of " + std::to_string(options_.max_steps) + " steps was reached",
         describe_positions(*this));
    return kEnded;
  }
  record(next);
  return next;
}

void Execution::record(int next) {
  const int current = turn_.current;
  if (current >= 0 && next != current && runnable(current)) {
    ++turn_.preemptions;
  }
  turn_.run_length = next == current ? turn_.run_length + 1 : 1;
  turn_.current = next;
  const std::uint64_t steps = turn_.steps.load(std::memory_order_relaxed) + 1;
  turn_.steps.store(steps, std::memory_order_relaxed);
  turn_.granted = std::min(turn_.granted, options_.max_steps - steps);
}

// The turn moves by compare-and-swap on Grant::holder, so that once the controller abandoned
// the execution a thread coming back can no longer hand the turn to anyone.
void Execution::grant_from_controller(int next) {
  grant_.holder.store(next, std::memory_order_seq_cst);
  wake_holder(next); // a fiber: this thread switches to it in await_turn
}

// Wakes whoever waits for the turn that was just handed to `next`.
void Execution::wake_holder(int next) {
  if (next == kController || is_fiber(next)) {
    controller_.wake();
  } else {
    threads_[static_cast<std::size_t>(next)]->worker->parker.wake();
  }
}

void Execution::pass_turn(ManagedThread &self, int next) {
  if (self.fiber != nullptr) {
    fiber_hand_over(self, next);
    return;
  }
  int expected = self.id;
  if (!grant_.holder.compare_exchange_strong(expected, next, std::memory_order_seq_cst)) {
    raw_exit_thread(); // abandoned while this thread was stuck
  }
  wake_holder(next);
}

void Execution::return_turn(ManagedThread &self) {
  if (self.fiber != nullptr) {
    fiber_hand_over(self, kController);
    return;
  }
  int expected = self.id;
  if (!grant_.holder.compare_exchange_strong(expected, kController, std::memory_order_seq_cst)) {
    raw_exit_thread();
  }
  controller_.wake();
}

void Execution::switch_to(ManagedThread &self, int next) {
  pass_turn(self, next);
  wait_for_turn(self);
  after_park(self);
  resume_executing(self);
}

// Back with the turn: unless the execution is ending (then the controller released this
// thread without recording a step), the step granted to it is the latest one recorded.
// Waits until the turn is handed to `self`, or the execution is abandoned (then after_park
// ends the thread).
// With more threads than cores, waiters that poll for long take the cores from the thread
// that holds the turn (each poll ends in a sched_yield that may hand the core to another
// poller): they poll briefly, then sleep until their turn comes.
void Execution::wait_for_turn(ManagedThread &self) {
  if (self.fiber != nullptr) {
    return; // fiber_hand_over returns once the turn is back
  }
  const auto mine = [this, &self] {
    return grant_.holder.load(std::memory_order_seq_cst) == self.id || abandoned();
  };
  static const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (nthreads_ > cores) {
    self.worker->parker.wait_briefly(mine, Parker::kBriefPollNs);
  } else {
    self.worker->parker.wait(mine);
  }
}

void Execution::resume_executing(ManagedThread &self) {
  if (!ending()) {
    log_executed(self);
  }
}

// A thread that was stuck when its execution was abandoned must not touch anything that
// outlived it (the strategy, other executions' workers): it ends here.
void Execution::leave_if_abandoned() {
  if (abandoned()) {
    ManagedThread *self = current_thread();
    if (self != nullptr && self->fiber != nullptr) {
      leave_abandoned_fiber(*self); // its OS thread is the controller's, which goes on
    }
    raw_exit_thread();
  }
}

// Back with the turn. During a teardown the thread now runs freely, unless the controller
// found every remaining thread blocked and chose this one to unwind.
void Execution::after_park(ManagedThread &self) {
  leave_if_abandoned();
  if (self.force_unwind) {
    self.force_unwind = false;
    self.unwinding = true;
    throw Teardown{};
  }
}

// Once an execution has failed, its threads are released one at a time and run freely: their
// yield points schedule nothing, so each runs to the end of its body and its destructors
// run. (An exception thrown from a yield point could not run them: clang gives a frame no
// cleanup path for a load or a store.) A thread that keeps running past kFreeRunSteps, a
// livelock, is unwound with a Teardown after all.
void Execution::run_free(ManagedThread &self) {
  if (self.unwinding) {
    if (std::uncaught_exceptions() == 0) {
      // A handler swallowed the Teardown and carried on: throw it again, unless the thread
      // keeps doing that (a retry loop around an interrupted wait), which would never end.
      if (++self.swallowed > kSwallowedTeardowns) {
        end_thread(self);
      }
      throw Teardown{};
    }
    return;
  }
  if (++self.free_steps > kFreeRunSteps) {
    self.unwinding = true;
    throw Teardown{};
  }
}

void Execution::decide_step(ManagedThread &self, const Event &event) {
  leave_if_abandoned();
  RuntimeSection section(self);
  if (self.exiting && std::uncaught_exceptions() == 0) {
    throw ThreadExit{self.retval}; // a handler swallowed pthread_exit's unwind
  }
  if (ending() || self.unwinding) {
    run_free(self);
    return;
  }
  announce(self, event);
  if ((grant_.alarms.load(std::memory_order_relaxed) & kStopRequested) != 0) {
    fail(FailureKind::Stopped, self.id, "stopped: the deadline passed", describe_threads(*this));
    return;
  }
  const int next = next_turn(self.id); // never kNobody: this thread is runnable
  if (next < 0) {
    return; // the run ended here: this thread now runs freely, like every other
  }
  if (next != self.id) {
    switch_to(self, next);
  } else {
    log_executed(self);
  }
}

void Execution::block(ManagedThread &self, WaitTarget target) {
  leave_if_abandoned();
  RuntimeSection section(self);
  self.timed_out = false;
  if (target.timed && target.deadline_ns <= clock_.now_ns(CLOCK_MONOTONIC)) {
    self.timed_out = true; // the deadline has passed already: time does not run backwards
    return;
  }
  set_status(self, ThreadStatus::Blocked);
  self.waiting = target;
  self.wait_seq = ++wait_seq_;
  if (ending() || self.unwinding) {
    wait_during_teardown(self);
    return;
  }
  const int next = next_turn(self.id);
  if (next == kNobody) {
    end_stuck(self.id, "deadlock: thread " + std::to_string(self.id) +
                           " blocked and no managed thread can run");
  }
  if (next < 0) {
    wait_during_teardown(self);
    return;
  }
  if (next != self.id) {
    switch_to(self, next);
  } else {
    log_executed(self); // its timed wait timed out at once
  }
}

void Execution::wake_all(WaitKind kind, const void *object) {
  for (int id = 0; id < nthreads_; ++id) {
    ManagedThread &thread = *threads_[id];
    if (thread.status == ThreadStatus::Blocked && thread.waiting.kind == kind &&
        thread.waiting.object == object) {
      set_status(thread, ThreadStatus::Runnable);
      thread.waiting = WaitTarget{};
    }
  }
}

int Execution::wake_some(WaitKind kind, const void *object, int count, std::uint32_t bitset) {
  int woken = 0;
  for (; woken < count; ++woken) {
    waiters_.clear();
    for (int id = 0; id < nthreads_; ++id) {
      const ManagedThread &thread = *threads_[id];
      if (thread.status == ThreadStatus::Blocked && thread.waiting.kind == kind &&
          thread.waiting.object == object &&
          (kind != WaitKind::Futex || (thread.futex_bitset & bitset) != 0)) {
        waiters_.push_back(id);
      }
    }
    if (waiters_.empty()) {
      break;
    }
    std::ranges::sort(
        waiters_, [this](int a, int b) { return threads_[a]->wait_seq < threads_[b]->wait_seq; });
    int index = choose_waiter(WakeKind::Notify, waiters_);
    if (index < 0) {
      // An impossible choice ends the run; the first waiter is released so that the teardown
      // sees what a default wake would have done.
      fail(FailureKind::StrategyError, turn_.current, "strategy error: " + strategy_error_,
           describe_threads(*this));
      index = 0;
    }
    ManagedThread &chosen = *threads_[waiters_[static_cast<std::size_t>(index)]];
    set_status(chosen, ThreadStatus::Runnable);
    chosen.waiting = WaitTarget{};
  }
  return woken;
}

ManagedThread &Execution::spawn(void *(*start_routine)(void *), void *arg) {
  ManagedThread &thread = add_thread();
  thread.start_routine = start_routine;
  thread.arg = arg;
  return thread;
}

ManagedThread *Execution::find(pthread_t handle) {
  for (int id = 0; id < nthreads_; ++id) {
    // A fiber shares its host's handle, and no pthread_create returned it to anyone.
    if (threads_[id]->fiber == nullptr &&
        pthread_equal(threads_[id]->worker->handle, handle) != 0) {
      return threads_[id].get();
    }
  }
  return nullptr;
}

ManagedThread *Execution::find_by_tid(int tid) {
  for (int id = 0; id < nthreads_; ++id) {
    if (threads_[id]->worker->tid.load(std::memory_order_relaxed) == tid) {
      return threads_[id].get();
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Failures

void Execution::set_failure(FailureKind kind, int thread, std::string message,
                            std::string details) {
  if (outcome_.failure == FailureKind::None) { // the first failure (or stop) is the verdict
    outcome_.failure = kind;
    outcome_.thread = thread;
    outcome_.message = std::move(message);
    outcome_.details = std::move(details);
  }
}

void Execution::fail(FailureKind kind, int thread, std::string message, std::string details) {
  set_failure(kind, thread, std::move(message), std::move(details));
  grant_.alarms.fetch_or(kTeardown, std::memory_order_release);
}

// A blocked thread during a teardown: the controller runs the others until what this thread
// waits for is released (then the caller retries), or makes it unwind (after_park throws).
void Execution::wait_during_teardown(ManagedThread &self) {
  return_turn(self);
  wait_for_turn(self);
  after_park(self);
}

std::string Execution::label(int id) const {
  if (id >= 0 && static_cast<std::size_t>(id) < options_.thread_names.size()) {
    return options_.thread_names[static_cast<std::size_t>(id)];
  }
  return "thread " + std::to_string(id);
}

// ---------------------------------------------------------------------------------------
// Worker side

void Execution::run_thread(ManagedThread &self) {
  wait_for_turn(self);
  run_body(self);
}

void Execution::run_body(ManagedThread &self) {
  leave_if_abandoned();
  if (!ending()) {
    log_executed(self); // its start
    t_current = &self;
    __interlace_library_steps = options_.library_code_steps ? 1 : 0;
    try {
      if (self.body != nullptr) {
        (*self.body)();
      } else {
        self.retval = self.start_routine(self.arg);
      }
    } catch (const Teardown &) {
    } catch (const ThreadExit &exit) {
      self.retval = exit.retval;
    } catch (...) {
      RuntimeSection section(self);
      const bool first = outcome_.failure == FailureKind::None;
      fail(FailureKind::Exception, self.id,
           "thread " + std::to_string(self.id) + " threw " + describe_current_exception(),
           "  after " + site_text(self.last_site) + "\n");
      if (first) {
        outcome_.exception = std::current_exception();
      }
    }
    t_current = nullptr;
    __interlace_library_steps = 0;
  }
  if (in_forked_child()) {
    // A process forked from this thread, whose body has now returned: as the last thread of a
    // program, it ends the process, without waiting for a runtime that is not there. Its
    // output is flushed, but the exit handlers and static destructors it copied from the
    // parent (the test's) do not run, as in a forked child that calls _exit.
    std::fflush(nullptr);
    real::_exit(0);
  }
  leave_if_abandoned();   // the body may have been stuck when the execution was abandoned
  self.in_runtime = true; // the thread is not managed any more; nothing may yield
  thread_ended(self);
}

void Execution::thread_ended(ManagedThread &self) {
  set_status(self, ThreadStatus::Finished);
  self.announced = Event{EventKind::Finish, 0, nullptr, nullptr};
  wake_all(WaitKind::Join, &self); // during a teardown too: a parent may be joining us
  if (ending()) {
    return_turn(self);
    return;
  }
  const int next = next_turn(self.id);
  if (next >= 0) {
    pass_turn(self, next);
    return;
  }
  const bool all_finished = std::all_of(threads_.begin(), threads_.begin() + nthreads_,
                                        [](const std::unique_ptr<ManagedThread> &thread) {
                                          return thread->status == ThreadStatus::Finished;
                                        });
  if (next == kNobody && !all_finished) {
    end_stuck(self.id, "deadlock: thread " + std::to_string(self.id) +
                           " finished and every other thread is blocked");
  }
  return_turn(self);
}

bool Execution::bodies_finished() const {
  return std::all_of(threads_.begin(), threads_.begin() + nbodies_,
                     [](const std::unique_ptr<ManagedThread> &thread) {
                       return thread->status == ThreadStatus::Finished;
                     });
}

// The execution is what the driver's bodies do: once they have all finished, threads they
// started that wait for work nobody will give (a library's thread pool: TBB's workers, a
// detached worker loop) are not a deadlock of the test. They are released like the threads of
// a failed execution (teardown_remaining), and the execution ends without a failure.
void Execution::end_leaving_waiters() {
  grant_.alarms.fetch_or(kTeardown, std::memory_order_release);
}

void Execution::note_stderr(const char *text, std::size_t size) {
  stderr_tail_.append(text, size);
  if (stderr_tail_.size() > kStderrTail) {
    stderr_tail_.erase(0, stderr_tail_.size() - kStderrTail);
  }
}

void Execution::terminate_thread(ManagedThread &self, FailureKind kind, std::string message) {
  self.in_runtime = true;
  std::string details = "  after " + site_text(self.last_site) + "\n";
  if (!stderr_tail_.empty()) {
    // A library says why before it aborts (Abseil's checks, TBB's assertions): its words.
    details += "  the threads wrote to stderr:\n";
    std::size_t start = 0;
    while (start < stderr_tail_.size()) {
      const std::size_t end = std::min(stderr_tail_.find('\n', start), stderr_tail_.size());
      if (end > start) {
        details += "    " + stderr_tail_.substr(start, end - start) + "\n";
      }
      start = end + 1;
    }
  }
  fail(kind, self.id, std::move(message), std::move(details));
  end_thread(self);
}

void Execution::discard(ManagedThread &self) {
  block(self, WaitTarget{WaitKind::Assumption, nullptr});
  self.unwinding = true; // woken only to end: it must not run past the assumption
  throw Teardown{};
}

// Nothing can run and not every thread finished: a deadlock, unless a thread waits on an
// assumption that did not hold, which makes the execution one to discard instead, or the
// bodies have finished and only threads they started wait (for work nobody will give).
void Execution::end_stuck(int thread, std::string message) {
  for (int id = 0; id < nthreads_; ++id) {
    const ManagedThread &other = *threads_[id];
    if (other.status == ThreadStatus::Blocked && other.waiting.kind == WaitKind::Assumption) {
      fail(FailureKind::Discarded, id,
           label(id) + "'s interlace_assume() did not hold " + position(other), {});
      return;
    }
  }
  if (bodies_finished()) {
    end_leaving_waiters();
    return;
  }
  fail(FailureKind::Deadlock, thread, std::move(message), describe_deadlock(*this));
}

void Execution::crash_thread(ManagedThread &self, const std::string &what) {
  terminate_thread(self, FailureKind::Crash,
                   "thread " + std::to_string(self.id) + " crashed: " + what + " " +
                       position(self));
}

// Ends the OS thread where it stands, without unwinding: for a thread that cannot go on (it
// crashed, exited, terminated) or will not stop (it keeps swallowing its Teardown). What it
// held is released when the execution ends (LockTable::reset_all); the pool replaces the worker.
void Execution::end_thread(ManagedThread &self) {
  self.in_runtime = true;
  if (self.fiber != nullptr) {
    // Only the fiber ends: its host goes on with the others. Out of a crash handler, which it
    // never returns from, the signal is still blocked on the host.
    unblock_crash_signals();
    thread_ended(self);
    internal_error("a fiber ran on after it was ended");
  }
  self.worker->dead.store(true, std::memory_order_release);
  t_current = nullptr;
  __interlace_library_steps = 0;
  thread_ended(self);
  raw_exit_thread();
}

// ---------------------------------------------------------------------------------------
// Fibers (RunOptions::fibers)

// The bodies' fibers run on the controller's own thread, which switches to the fiber that holds
// the turn (await_turn). Between themselves they hand the turn over directly
// (fiber_hand_over); a handover to the controller or to a thread on an OS thread of its own
// comes back here, where it is made, so that the fiber is off its stack by then. False when
// the execution was abandoned while a fiber was stuck.
bool Execution::run_fibers(int holder) {
  ManagedThread &entering = *threads_[static_cast<std::size_t>(holder)];
  switch_fiber(host_.context, nullptr, entering.fiber->context, &entering);
  int expected = host_from_;
  if (host_from_ < 0 ||
      !grant_.holder.compare_exchange_strong(expected, host_to_, std::memory_order_seq_cst)) {
    // The Watchdog took the turn: its failure is written once the abandonment shows.
    while (!abandoned()) {
      real::sched_yield();
    }
    return false;
  }
  if (host_to_ != kController) {
    wake_holder(host_to_);
  }
  return true;
}

// The fibers run on the calling thread (the controller's): it is their worker, and a crash in
// one needs an alternate signal stack there (prepare_fiber_host).
void Execution::host_here() {
  Worker &worker = host_.worker;
  const pthread_t self = pthread_self();
  if (worker.tid.load(std::memory_order_relaxed) == 0 || pthread_equal(worker.handle, self) == 0) {
    worker.handle = self;
    worker.tid.store(raw_gettid(), std::memory_order_relaxed);
    prepare_fiber_host();
  }
}

// The fiber's execution was abandoned (abandon_stuck_fiber): back to the controller, for good.
// Also from the stop signal's handler, which never returns: the signal is unblocked here.
void Execution::leave_abandoned_fiber(ManagedThread &self) {
  unblock_stop_signal();
  host_from_ = -1;
  switch_fiber(self.fiber->context, &self, host_.context, nullptr);
  internal_error("an abandoned fiber was resumed");
}

// Fiber `self` hands the turn to `next` (a thread, or kController) and returns once the turn
// is back, if ever (a finished fiber is not switched to again).
void Execution::fiber_hand_over(ManagedThread &self, int next) {
  if (is_fiber(next)) {
    int expected = self.id;
    if (grant_.holder.compare_exchange_strong(expected, next, std::memory_order_seq_cst)) {
      ManagedThread &entering = *threads_[static_cast<std::size_t>(next)];
      switch_fiber(self.fiber->context, &self, entering.fiber->context, &entering);
      return;
    }
    next = kAbandonedHolder; // abandoned meanwhile: back to the controller, for good
  }
  host_from_ = next == kAbandonedHolder ? -1 : self.id;
  host_to_ = next;
  switch_fiber(self.fiber->context, &self, host_.context, nullptr);
}

// Switches the host OS thread from one context to another, with the thread-locals that belong
// to the managed thread running there (null: the host itself).
void Execution::switch_fiber(FiberContext &from, ManagedThread *leaving, FiberContext &to,
                             ManagedThread *entering) {
  if (leaving != nullptr) {
    leaving->fiber->call_site = __interlace_call_site;
    leaving->fiber->library_steps = __interlace_library_steps;
  }
  t_current = entering;
  __interlace_call_site = entering != nullptr ? entering->fiber->call_site : nullptr;
  __interlace_library_steps = entering != nullptr ? entering->fiber->library_steps : 0;
  const int saved_errno = errno; // each context keeps its own, as each thread does
  fiber_switch(from, to);
  errno = saved_errno;
}

void Execution::fiber_main(void *thread) {
  auto &self = *static_cast<ManagedThread *>(thread);
  self.execution->run_body(self);
  internal_error("a fiber ran on after its thread ended");
}

} // namespace interlace::rt::detail
