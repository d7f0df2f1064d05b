// What a wait means, family by family: who must act before a thread blocked on a WaitTarget
// can go on (a waits-for edge in a deadlock report), how the wait reads in a report, and
// whether a teardown can make the thread leave it with an exception. Each family's model
// lives in its own file beside this one (locks.cpp, threads.cpp, wakeups.cpp,
// sync_objects.cpp); wait_model.cpp maps each WaitKind to its model.
#pragma once

#include <string>

namespace interlace::rt::detail {

struct WaitTarget;
class Execution;

class WaitModel {
public:
  constexpr WaitModel() = default;
  WaitModel(const WaitModel &) = delete;
  WaitModel &operator=(const WaitModel &) = delete;
  virtual ~WaitModel() = default;

  // The thread that must act before the waiter can go on, or -1 when no single thread holds
  // what it waits for.
  virtual int holder(const WaitTarget &target, const Execution &execution) const = 0;
  // "mutex 0x1234 held by thread 1 (taken at a.cpp:12)": what the waiter waits for.
  virtual std::string describe(const WaitTarget &target, const Execution &execution) const = 0;
  // Whether a teardown can make the waiter leave with an exception that unwinds its stack.
  // Waits in functions glibc declares noexcept can only return an error, and futex waits sit
  // in noexcept libstdc++ loops that an unwind ends with std::terminate.
  virtual bool unwinds_cleanly() const = 0;
};

// A family's model of a wait on `target`.
const WaitModel &wait_model(const WaitTarget &target);

// Each family's models, defined in its own file.
const WaitModel &mutex_wait_model();
const WaitModel &spin_wait_model();
const WaitModel &rwlock_wait_model(bool write);
const WaitModel &join_wait_model();
const WaitModel &condvar_wait_model();
const WaitModel &semaphore_wait_model();
const WaitModel &futex_wait_model();
const WaitModel &barrier_wait_model();
const WaitModel &once_wait_model();
const WaitModel &assumption_wait_model();

} // namespace interlace::rt::detail
