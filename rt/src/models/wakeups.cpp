// The models of waits that nobody holds, which only another thread's action ends: condition
// variables (a signal or broadcast), semaphores (a post) and futex words (a FUTEX_WAKE, which
// carries C++20's atomic::wait, std::latch, std::barrier, std::counting_semaphore and
// std::future).
#include "../execution.hpp"
#include "wait_model.hpp"

namespace interlace::rt::detail {
namespace {

class CondvarModel final : public WaitModel {
public:
  int holder(const WaitTarget &, const Execution &) const override { return -1; }
  std::string describe(const WaitTarget &target, const Execution &) const override {
    return "condvar " + address_text(target.object) +
           " (nobody holds a condvar: only a signal or broadcast ends this wait)";
  }
  bool unwinds_cleanly() const override { return true; }
};

class SemaphoreModel final : public WaitModel {
public:
  int holder(const WaitTarget &, const Execution &) const override { return -1; }
  std::string describe(const WaitTarget &target, const Execution &) const override {
    return "semaphore " + address_text(target.object) +
           " (its count is 0: only a sem_post ends this wait)";
  }
  bool unwinds_cleanly() const override { return true; }
};

class FutexModel final : public WaitModel {
public:
  int holder(const WaitTarget &, const Execution &) const override { return -1; }
  std::string describe(const WaitTarget &target, const Execution &) const override {
    if (target.task) {
      return "what it awaits, which no other task will complete (its event loop has nothing "
             "to run)";
    }
    return "futex word " + address_text(target.object) + " (while it holds " +
           std::to_string(target.value) +
           ": only a FUTEX_WAKE on it ends this wait; it carries atomic::wait, std::latch, "
           "std::barrier, std::counting_semaphore and std::future)";
  }
  bool unwinds_cleanly() const override { return false; }
};

constinit const CondvarModel kCondvar;
constinit const SemaphoreModel kSemaphore;
constinit const FutexModel kFutex;

} // namespace

const WaitModel &condvar_wait_model() { return kCondvar; }
const WaitModel &semaphore_wait_model() { return kSemaphore; }
const WaitModel &futex_wait_model() { return kFutex; }

} // namespace interlace::rt::detail
