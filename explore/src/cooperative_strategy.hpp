// Cooperative scheduling, for async tasks (interlace/asio.hpp): a task runs on until it is back
// at its event loop (a switch point), reaches a marker, blocks or ends; only there does the
// wrapped strategy choose who goes on. Code between two switch points therefore runs without
// interruption by other tasks, as it does on a single-threaded io_context.
#pragma once

#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

class CooperativeStrategy final : public rt::Strategy {
public:
  // The strategy that makes the choices at switch points; it must outlive the execution.
  // `every_co_await`: a co_await that does not suspend is a switch point too.
  void wrap(rt::Strategy &inner, bool every_co_await) {
    inner_ = &inner;
    every_co_await_ = every_co_await;
  }

  void begin() override { inner_->begin(); }

  std::optional<int> next(const rt::Decision &decision) override {
    const int current = decision.current;
    if (current >= 0 && decision.candidates[0] == current &&
        !is_switch_point(decision.pending[static_cast<std::size_t>(current)])) {
      return current;
    }
    return inner_->next(decision);
  }

  std::size_t choose_waiter(const rt::WakeDecision &decision) override {
    return inner_->choose_waiter(decision);
  }

  std::string stop_reason() const override { return inner_->stop_reason(); }

private:
  // A real suspension (Event::size 0), a co_await (size 1) when those count, or a marker.
  bool is_switch_point(const rt::Event &event) const {
    return (event.kind == rt::EventKind::Switch && (event.size == 0 || every_co_await_)) ||
           event.kind == rt::EventKind::Marker;
  }

  rt::Strategy *inner_ = nullptr;
  bool every_co_await_ = true;
};

} // namespace interlace::detail
