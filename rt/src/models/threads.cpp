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

constinit const JoinModel kJoin;

} // namespace

const WaitModel &join_wait_model() { return kJoin; }

} // namespace interlace::rt::detail
