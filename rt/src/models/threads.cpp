// The thread family's model: a join waits for the end of the joined thread.
#include "../execution.hpp"
#include "wait_model.hpp"

namespace interlace::rt::detail {
namespace {

class JoinModel final : public WaitModel {
public:
  int holder(const WaitTarget &target, const Execution &) const override {
    return static_cast<const ManagedThread *>(target.object)->id;
  }
  std::string describe(const WaitTarget &target, const Execution &) const override {
    return "the end of thread " +
           std::to_string(static_cast<const ManagedThread *>(target.object)->id) + " (join)";
  }
  bool unwinds_cleanly() const override { return true; }
};

// A thread stopped by an interlace_assume() that did not hold: nothing can release it.
class AssumptionModel final : public WaitModel {
public:
  int holder(const WaitTarget &, const Execution &) const override { return -1; }
  std::string describe(const WaitTarget &, const Execution &) const override {
    return "nothing: an interlace_assume() did not hold";
  }
  bool unwinds_cleanly() const override { return true; }
};

constinit const AssumptionModel kAssumption;
constinit const JoinModel kJoin;

} // namespace

const WaitModel &join_wait_model() { return kJoin; }

const WaitModel &assumption_wait_model() { return kAssumption; }

} // namespace interlace::rt::detail
