#include "trace_strategy.hpp"

#include <algorithm>

namespace interlace::detail {
namespace {

bool contains(std::span<const int> ids, int id) { return std::ranges::find(ids, id) != ids.end(); }

} // namespace

TraceStrategy::TraceStrategy(std::vector<TraceStep> steps, std::vector<std::string> names)
    : steps_(std::move(steps)), names_(std::move(names)) {}

void TraceStrategy::begin() {
  next_step_ = 0;
  granted_ = -1;
  started_ = false;
  missed_.reset();
  reason_.clear();
}

std::optional<std::size_t> TraceStrategy::missed_marker_step() const {
  if (missed_) {
    return missed_;
  }
  if (reason_.empty() && next_step_ < steps_.size()) {
    return next_step_; // every thread finished before this step
  }
  return std::nullopt;
}

const std::string &TraceStrategy::name(int thread) const {
  static const std::string unnamed = "an unnamed thread";
  return thread >= 0 && static_cast<std::size_t>(thread) < names_.size()
             ? names_[static_cast<std::size_t>(thread)]
             : unnamed;
}

std::string TraceStrategy::describe_step(std::size_t index) const {
  const TraceStep &step = steps_[index];
  return "step " + std::to_string(index + 1) + " of " + std::to_string(steps_.size()) + " (" +
         name(step.thread) + ", " + step.marker + ")";
}

std::string TraceStrategy::current_step() const {
  return describe_step(std::min(granted_ >= 0 ? next_step_ - 1 : next_step_, steps_.size() - 1));
}

std::string TraceStrategy::unfinished() const {
  if (next_step_ == steps_.size()) {
    return {};
  }
  const TraceStep &step = steps_[next_step_];
  return describe_step(next_step_) + ": " + name(step.thread) +
         " finished without reaching marker '" + step.marker + "'";
}

std::optional<int> TraceStrategy::stop(std::string cause) {
  reason_ = current_step() + ": " + std::move(cause);
  return kStop;
}

std::optional<int> TraceStrategy::next(const rt::Decision &decision) {
  const auto runnable = [&](int thread) { return contains(decision.candidates, thread); };
  const auto event = [&](int thread) { return decision.pending[static_cast<std::size_t>(thread)]; };
  const auto at_marker = [&](int thread) { return event(thread).kind == rt::EventKind::Marker; };
  const auto finished = [&](int thread) { return event(thread).kind == rt::EventKind::Finish; };
  const auto named = [&](int thread) { return static_cast<std::size_t>(thread) < names_.size(); };
  // Threads the schedule does not name may run whenever they are needed.
  const auto runnable_unnamed = [&]() -> int {
    for (const int thread : decision.candidates) {
      if (!named(thread)) {
        return thread;
      }
    }
    return -1;
  };

  // A granted step lasts until its thread reaches its next marker or finishes.
  if (granted_ >= 0) {
    if (runnable(granted_) && !at_marker(granted_)) {
      return granted_;
    }
    if (!runnable(granted_) && !finished(granted_)) {
      if (const int helper = runnable_unnamed(); helper >= 0) {
        return helper;
      }
      return stop(name(granted_) + " blocked during its step, and every other thread waits at a "
                                   "marker for its own turn");
    }
    granted_ = -1;
  }

  // Before the first step, every thread runs up to its first marker.
  if (!started_) {
    if (decision.current >= 0 && runnable(decision.current) && !at_marker(decision.current)) {
      return decision.current;
    }
    for (const int thread : decision.candidates) {
      if (!at_marker(thread)) {
        return thread;
      }
    }
    started_ = true;
  }
  return grant_next(decision);
}

std::optional<int> TraceStrategy::grant_next(const rt::Decision &decision) {
  if (next_step_ == steps_.size()) {
    return std::nullopt; // the schedule is done: the default scheduler takes over
  }
  const TraceStep &step = steps_[next_step_];
  const int thread = step.thread;
  const rt::Event &event = decision.pending[static_cast<std::size_t>(thread)];
  const bool runnable = contains(decision.candidates, thread);
  if (event.kind == rt::EventKind::Finish) {
    missed_ = next_step_;
    return stop(name(thread) + " finished without reaching marker '" + step.marker + "'");
  }
  if (!runnable) {
    for (const int other : decision.candidates) {
      if (static_cast<std::size_t>(other) >= names_.size()) {
        return other; // an unnamed thread may release it
      }
    }
    return stop(name(thread) + " is blocked, and every thread that could release it waits at a "
                               "marker for its own turn");
  }
  if (event.kind != rt::EventKind::Marker) {
    return thread; // between markers: it runs up to its next one first
  }
  const std::string reached = static_cast<const char *>(event.addr);
  if (reached != step.marker) {
    missed_ = next_step_;
    return stop(name(thread) + " is waiting at marker '" + reached + "', not at '" + step.marker +
                "'");
  }
  granted_ = thread;
  ++next_step_;
  return thread;
}

} // namespace interlace::detail
