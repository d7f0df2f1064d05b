#include "sync_objects.hpp"

#include "../execution.hpp"
#include "wait_model.hpp"

namespace interlace::rt::detail {

SyncTable::State &SyncTable::state(const void *object) {
  for (State &state : states_) {
    if (state.object == object) {
      return state;
    }
  }
  State &state = states_.emplace_back();
  state.object = object;
  return state;
}

const SyncTable::State *SyncTable::find(const void *object) const {
  for (const State &state : states_) {
    if (state.object == object) {
      return &state;
    }
  }
  return nullptr;
}

namespace {

// A barrier: only more arrivals end the wait; pthread_barrier_wait is noexcept.
class BarrierModel final : public WaitModel {
public:
  int holder(const WaitTarget &, const Execution &) const override { return -1; }
  std::string describe(const WaitTarget &target, const Execution &execution) const override {
    std::string text = "barrier " + address_text(target.object);
    if (const SyncTable::State *state = execution.sync().find(target.object)) {
      return text + " (" + std::to_string(state->arrived) + " of " + std::to_string(state->count) +
             " threads arrived: only more arrivals end this wait)";
    }
    return text;
  }
  bool unwinds_cleanly() const override { return false; }
};

// pthread_once (std::call_once): the thread running the initialiser.
class OnceModel final : public WaitModel {
public:
  int holder(const WaitTarget &target, const Execution &execution) const override {
    const SyncTable::State *state = execution.sync().find(target.object);
    return state != nullptr ? state->owner : -1;
  }
  std::string describe(const WaitTarget &target, const Execution &execution) const override {
    return "pthread_once " + address_text(target.object) +
           " (std::call_once) being run by thread " + std::to_string(holder(target, execution));
  }
  bool unwinds_cleanly() const override { return true; }
};

constinit const BarrierModel kBarrier;
constinit const OnceModel kOnce;

} // namespace

const WaitModel &barrier_wait_model() { return kBarrier; }
const WaitModel &once_wait_model() { return kOnce; }

} // namespace interlace::rt::detail
