// Cooperative scheduling, for async tasks (interlace/asio.hpp): a task runs on until it is back
// at its event loop (a switch point), reaches a marker, blocks or ends; only there does the
// wrapped strategy choose who goes on. Code between two switch points therefore runs without
// interruption by other tasks, as it does on a single-threaded io_context.
//
// A strategy that also wants to see the steps chosen for it (the systematic search, which
// takes each run between two switch points as one transition) implements BlockStepObserver.
#pragma once

#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

class BlockStepObserver {
public:
  // `thread`, the current task, takes its next step without a choice: it is not at a switch
  // point. The step belongs to the run the last next() call began.
  virtual void continues(const rt::Decision &decision, int thread) = 0;

protected:
  ~BlockStepObserver() = default;
};

class CooperativeStrategy final : public rt::Strategy {
public:
  // The strategy that makes the choices at switch points; it must outlive the execution.
  // `every_co_await`: a co_await that does not suspend is a switch point too.
  void wrap(rt::Strategy &inner, bool every_co_await) {
    inner_ = &inner;
    observer_ = dynamic_cast<BlockStepObserver *>(&inner);
    every_co_await_ = every_co_await;
  }

  void begin() override {
    awaits_.clear();
    inner_->begin();
  }

  std::optional<int> next(const rt::Decision &decision) override {
    awaits_.resize(decision.pending.size(), nullptr);
    const int current = decision.current;
    if (current >= 0 && decision.candidates[0] == current &&
        !is_switch_point(decision.pending[static_cast<std::size_t>(current)],
                         awaits_[static_cast<std::size_t>(current)])) {
      if (observer_ != nullptr) {
        observer_->continues(decision, current);
      }
      took(decision, current);
      return current;
    }
    const std::optional<int> chosen = inner_->next(decision);
    if (chosen && *chosen >= 0) {
      took(decision, *chosen);
    }
    return chosen;
  }

  std::size_t choose_waiter(const rt::WakeDecision &decision) override {
    return inner_->choose_waiter(decision);
  }

  std::string stop_reason() const override { return inner_->stop_reason(); }

private:
  // A real suspension (a Switch of size 0), a marker, or, when co_awaits count, the step where
  // a coroutine goes on past a co_await (rt::await_in_progress).
  bool is_switch_point(const rt::Event &event, const interlace_site *await) const {
    if (event.kind == rt::EventKind::Switch) {
      return event.size == 0;
    }
    return event.kind == rt::EventKind::Marker ||
           (every_co_await_ && await != nullptr && rt::await_in_progress(await, event) == nullptr);
  }

  // `thread` takes its announced step: follow the co_await it is at, as the runtime does (which
  // decides every step of a task at a co_await, so this sees them all).
  void took(const rt::Decision &decision, int thread) {
    const auto index = static_cast<std::size_t>(thread);
    awaits_[index] = rt::await_in_progress(awaits_[index], decision.pending[index]);
  }

  rt::Strategy *inner_ = nullptr;
  BlockStepObserver *observer_ = nullptr; // inner_, when it watches the runs' steps
  bool every_co_await_ = true;
  std::vector<const interlace_site *> awaits_; // per task, this execution: await_in_progress
};

} // namespace interlace::detail
