// Trace markers: force an exact interleaving of named points in the code.
//
// Mark lines in the code under test with comments (compiled with interlace_instrument, -g):
//
//   void transfer(int amount) {
//     int current = balance;            // interlace: read_balance
//     balance = current + amount;       // interlace: write_balance
//   }
//
// or, without the pass, with INTERLACE_MARKER(read_balance); on the line before. Then:
//
//   interlace::TraceExecutor executor(interlace::Schedule{
//       {"thread1", "read_balance"}, {"thread2", "read_balance"},
//       {"thread1", "write_balance"}, {"thread2", "write_balance"}});
//   executor.run("thread1", [&] { account.transfer(50); });
//   executor.run("thread2", [&] { account.transfer(50); });
//   executor.wait(std::chrono::seconds(5));   // balance is 150, every time
//
// A thread pauses when it reaches a marker and goes on only when the schedule's next step is
// exactly (that thread, that marker); between two granted steps only the granted thread
// runs. After the last step the threads run on under the default deterministic scheduler.
#pragma once

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "interlace/annotations.h"
#include "interlace/errors.hpp"

namespace interlace {

// One step of a schedule: `thread` passes its marker `marker`.
struct Step {
  std::string thread;
  std::string marker;
};

// The order in which threads pass their markers. Throws ScheduleError when empty.
class Schedule {
public:
  Schedule(std::initializer_list<Step> steps);
  explicit Schedule(std::vector<Step> steps);

  const std::vector<Step> &steps() const { return steps_; }

private:
  std::vector<Step> steps_;
};

class TraceExecutor {
public:
  explicit TraceExecutor(Schedule schedule);
  ~TraceExecutor();
  TraceExecutor(const TraceExecutor &) = delete;
  TraceExecutor &operator=(const TraceExecutor &) = delete;

  // Adds a managed thread named `thread_name` running `body`. Threads get ids in the order of
  // run() calls and start when wait() is called. A name may be used once.
  void run(std::string thread_name, std::function<void()> body);

  // Runs the threads through the schedule and joins them. Throws interlace::ScheduleError,
  // as soon as the cause is certain, when a step cannot proceed: its message names the step
  // and why (a thread that was never run, a marker its thread finished without reaching, a
  // thread blocked by one that waits for its own turn, a deadlock, the timeout with where
  // every thread stands). An exception that escapes a thread is rethrown here.
  void wait(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
  Schedule schedule_;
  std::vector<std::string> names_;
  std::vector<std::function<void()>> bodies_;
  bool waited_ = false;
};

namespace detail {

// TraceExecutor's core, which AsyncTraceExecutor shares: runs `bodies` through `schedule` and
// throws ScheduleError as TraceExecutor::wait says. The first names.size() bodies are the ones
// steps name (`noun`s in messages: "thread" or "task"); bodies beyond them are helpers that run
// whenever a named one waits for them.
void run_trace_schedule(const Schedule &schedule, const std::vector<std::string> &names,
                        const std::vector<std::function<void()>> &bodies,
                        std::chrono::milliseconds timeout, const char *noun);

} // namespace detail

} // namespace interlace
