// explore_marker_interleavings' core: a depth-first enumeration of the choices made where a
// thread reaches a marker (or blocks, or ends), one execution per choice sequence.
#include "interlace/marker_interleavings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "exploration_lock.hpp"
#include "interlace/rt/executor.hpp"

namespace interlace::detail {
namespace {

// Lets the running thread go on until it reaches a marker, blocks or ends; there, the thread to
// go on is the next choice of a depth-first walk over all of them.
class MarkerEnumerator final : public rt::Strategy {
public:
  void begin() override { depth_ = 0; }

  std::optional<int> next(const rt::Decision &decision) override {
    const int current = decision.current;
    const bool current_goes_on =
        current >= 0 && decision.candidates[0] == current &&
        decision.pending[static_cast<std::size_t>(current)].kind != rt::EventKind::Marker;
    if (current_goes_on) {
      return current;
    }
    if (depth_ == choices_.size()) {
      choices_.push_back({0, decision.candidates.size()});
    }
    Choice &choice = choices_[depth_++];
    choice.count = decision.candidates.size();
    if (choice.index >= choice.count) {
      return kDiscard; // the threads did not repeat themselves: this branch is gone
    }
    return decision.candidates[choice.index];
  }

  std::string stop_reason() const override { return "the threads did not repeat themselves"; }

  // The next choice sequence after the execution that just ended; false when none is left.
  bool advance() {
    choices_.resize(depth_);
    while (!choices_.empty()) {
      Choice &last = choices_.back();
      if (last.index + 1 < last.count) {
        ++last.index;
        return true;
      }
      choices_.pop_back();
    }
    return false;
  }

private:
  struct Choice {
    std::size_t index = 0;
    std::size_t count = 0;
  };
  std::vector<Choice> choices_;
  std::size_t depth_ = 0;
};

std::vector<Step> markers_of(std::span<const rt::StepRecord> trace,
                             const std::vector<std::string> &names) {
  std::vector<Step> steps;
  for (const rt::StepRecord &record : trace) {
    if (record.event.kind == rt::EventKind::Marker) {
      const auto thread = static_cast<std::size_t>(record.thread);
      steps.push_back({thread < names.size() ? names[thread] : "thread " + std::to_string(thread),
                       static_cast<const char *>(record.event.addr)});
    }
  }
  return steps;
}

std::string key_of(const std::vector<Step> &steps) {
  std::string key;
  for (const Step &step : steps) {
    key += step.thread + '\0' + step.marker + '\0';
  }
  return key;
}

} // namespace

MarkerReport explore_markers(const MarkerSpec &spec) {
  if (spec.bodies.empty()) {
    throw UsageError("explore_marker_interleavings: no threads; give at least one");
  }
  if (rt::in_managed_thread()) {
    throw UsageError("explore_marker_interleavings: called from a managed thread; call it from "
                     "the test itself");
  }
  const auto lock = lock_exploration();
  const auto deadline = std::chrono::steady_clock::now() + spec.options.timeout;
  rt::Executor executor;
  MarkerEnumerator enumerator;
  rt::RunOptions run_options;
  run_options.thread_names = spec.names;
  run_options.deadline = deadline;
  std::set<std::string> orders;
  MarkerReport report;
  for (;;) {
    if (report.num_explored >= spec.options.max_schedules ||
        std::chrono::steady_clock::now() >= deadline) {
      return report; // not exhaustive
    }
    spec.new_state();
    const rt::Outcome outcome = executor.run(spec.bodies, enumerator, run_options);
    if (outcome.failure == rt::FailureKind::Stopped) {
      return report; // the timeout
    }
    ++report.num_explored;
    if (outcome.failure != rt::FailureKind::Discarded) {
      const std::vector<Step> steps = markers_of(executor.trace(), spec.names);
      orders.insert(key_of(steps));
      report.marker_interleavings = static_cast<int>(orders.size());
      std::string failure;
      if (outcome.failed()) {
        failure = outcome.message;
      } else if (!spec.invariant_holds()) {
        failure = "the invariant does not hold";
      }
      if (!failure.empty()) {
        spec.keep_state();
        report.property_holds = false;
        report.failing = steps;
        report.failure = std::move(failure);
        return report;
      }
    }
    if (!enumerator.advance()) {
      report.exhaustive = true;
      return report;
    }
  }
}

} // namespace interlace::detail
