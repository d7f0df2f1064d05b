// The strategy behind TraceExecutor: grants (thread, marker) steps in schedule order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

struct TraceStep {
  int thread;         // id of the thread (the order of TraceExecutor::run calls)
  std::string marker; // the marker it must pass
};

// Before the first step, every thread runs to its first marker (one at a time, in id order).
// Then, for each step, the named thread (if it is between markers, after running up to its
// next one) passes its marker and runs alone until it reaches another marker or finishes.
// Threads the schedule cannot name (started by the threads themselves) run only when the
// granted thread waits for them. A step that cannot be granted stops the run at once, with
// stop_reason() naming the step and the cause. After the last step: no opinion.
class TraceStrategy final : public rt::Strategy {
public:
  TraceStrategy(std::vector<TraceStep> steps, std::vector<std::string> names);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::string stop_reason() const override { return reason_; }

  bool stopped() const { return !reason_.empty(); }
  // After a run in which every thread finished: why the schedule was not completed, or "".
  std::string unfinished() const;
  // "step 2 of 4 (thread2, read_balance)", for the step in progress or due.
  std::string current_step() const;
  std::string describe_step(std::size_t index) const;
  const TraceStep &step(std::size_t index) const { return steps_[index]; }
  // After the run stopped, or ended with steps left, because a step's thread waited at another
  // marker or finished without reaching the step's marker: that step.
  std::optional<std::size_t> missed_marker_step() const;

private:
  std::optional<int> stop(std::string cause);
  std::optional<int> grant_next(const rt::Decision &decision);
  const std::string &name(int thread) const;

  std::vector<TraceStep> steps_;
  std::vector<std::string> names_;
  std::size_t next_step_ = 0;         // the step due next
  int granted_ = -1;                  // the thread running its granted step
  bool started_ = false;              // the first step was due
  std::optional<std::size_t> missed_; // the step whose marker its thread did not reach
  std::string reason_;
};

} // namespace interlace::detail
