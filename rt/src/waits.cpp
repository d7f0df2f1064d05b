// Condition variables, semaphores, barriers, once and futex waits in managed threads.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>

#include "execution.hpp"
#include "primitive_support.hpp"
#include "primitives.hpp"

namespace interlace::rt::detail::managed {
namespace {

// glibc keeps a condvar's clock (pthread_condattr_setclock) in bit 1 of __wrefs.
int cond_clock(void *cond) {
  return (static_cast<pthread_cond_t *>(cond)->__data.__wrefs & 2) != 0 ? CLOCK_MONOTONIC
                                                                        : CLOCK_REALTIME;
}

// A condvar is modelled without the real one: release the mutex (waking its waiters), block
// on the condvar until a signal or broadcast makes the thread runnable (or its deadline is
// the earliest when nothing else can run), then take the mutex back. A signal that comes
// before the wait is lost, as with a real condvar, and shows up as a deadlock.
int cond_wait(ManagedThread &self, void *cond, void *mutex, int clock,
              const struct timespec *abstime) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(EventKind::Wait, cond));
  if (abstime != nullptr && !valid_timespec(abstime)) {
    return EINVAL;
  }
  if (is_errorcheck(mutex) && !owned_by_caller(mutex)) {
    return EPERM;
  }
  const WaitTarget target = wait_target(execution, WaitKind::Cond, cond, clock, abstime);
  unlock_mutex(self, mutex);
  bool unwound = false;
  try {
    execution.block(self, target);
  } catch (const Teardown &) {
    unwound = true; // a teardown made this thread leave the wait
  }
  if (unwound) {
    // The caller's unique_lock unlocks the mutex on the way out, so take it back first.
    relock_mutex_unwinding(self, mutex);
    throw Teardown{};
  }
  const bool timed_out = self.timed_out;
  const int rc = lock_mutex(self, mutex, CLOCK_REALTIME, nullptr);
  return rc != 0 ? rc : timed_out ? ETIMEDOUT : 0;
}

int cond_notify(ManagedThread &self, void *cond, bool all) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  // Notifying must happen even when the execution ends here: destructors may rely on it.
  step_through_teardown(self, sync_event(EventKind::Notify, cond));
  if (all) {
    execution.wake_all(WaitKind::Cond, cond);
    return real::pthread_cond_broadcast(cond); // threads outside the execution may wait too
  }
  if (execution.wake_some(WaitKind::Cond, cond, 1) == 0) {
    return real::pthread_cond_signal(cond);
  }
  return 0;
}

// Returns 0 or an errno value.
int sem_acquire(ManagedThread &self, void *sem, int clock, const struct timespec *abstime) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(EventKind::Wait, sem));
  for (;;) {
    if (real::sem_trywait(sem) == 0) {
      return 0;
    }
    if (errno != EAGAIN) {
      return errno;
    }
    if (abstime != nullptr && !valid_timespec(abstime)) {
      return EINVAL;
    }
    execution.block(self, wait_target(execution, WaitKind::Semaphore, sem, clock, abstime));
    if (self.timed_out) {
      return ETIMEDOUT;
    }
  }
}

int errno_result(int error) {
  if (error != 0) {
    errno = error;
    return -1;
  }
  return 0;
}

// glibc's struct pthread_barrier (nptl/pthreadP.h); the runtime reads only `count`.
struct GlibcBarrier {
  unsigned in;
  unsigned current_round;
  unsigned count;
  int shared;
  unsigned out;
};
static_assert(sizeof(GlibcBarrier) <= sizeof(pthread_barrier_t));

// glibc's pthread_once_t: bit 1 says the initialiser has run.
bool once_done(void *control) {
  return (__atomic_load_n(static_cast<int *>(control), __ATOMIC_ACQUIRE) & 2) != 0;
}

long futex_wait(ManagedThread &self, std::uint32_t *word, std::uint32_t expected,
                const struct timespec *timeout, bool absolute, int clock, std::uint32_t bitset,
                bool task = false) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  // Always in noexcept code (syscall is noexcept), which loops on EINTR: an unwind then starts
  // at the caller's next yield point.
  const int error = error_on_teardown(EINTR, [&] {
    execution.step(self, Event{EventKind::Wait, sizeof *word, word, nullptr});
    if (bitset == 0 || (timeout != nullptr && (!valid_timespec(timeout) || timeout->tv_sec < 0))) {
      return EINVAL;
    }
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != expected) {
      return EAGAIN;
    }
    WaitTarget target{WaitKind::Futex, word};
    target.value = expected;
    target.task = task;
    if (timeout != nullptr) {
      target.timed = true;
      target.deadline_ns = absolute
                               ? execution.clock().monotonic_ns(clock, nanoseconds(*timeout))
                               : execution.clock().now_ns(CLOCK_MONOTONIC) + nanoseconds(*timeout);
    }
    self.futex_bitset = bitset;
    execution.block(self, target);
    return self.timed_out ? ETIMEDOUT : 0;
  });
  return errno_result(error);
}

// `wake_outside(n)` wakes up to n threads outside the execution that really wait on the word.
template <class WakeOutside>
long futex_wake(ManagedThread &self, std::uint32_t *word, int count, std::uint32_t bitset,
                WakeOutside &&wake_outside) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  step_through_teardown(self, Event{EventKind::Notify, sizeof *word, word, nullptr});
  if (bitset == 0) {
    return errno_result(EINVAL);
  }
  // The kernel wakes at least one waiter even when asked for none.
  const int wanted = count > 0 ? count : 1;
  const int woken = execution.wake_some(WaitKind::Futex, word, wanted, bitset);
  const long outside = woken < wanted ? wake_outside(wanted - woken) : 0;
  return woken + (outside > 0 ? outside : 0);
}

} // namespace

// ---------------------------------------------------------------------------------------
// Condition variables

int pthread_cond_wait(ManagedThread &self, void *cond, void *mutex) {
  return cond_wait(self, cond, mutex, CLOCK_REALTIME, nullptr);
}

int pthread_cond_timedwait(ManagedThread &self, void *cond, void *mutex,
                           const struct timespec *abstime) {
  if (abstime == nullptr) {
    return EINVAL;
  }
  return cond_wait(self, cond, mutex, cond_clock(cond), abstime);
}

int pthread_cond_clockwait(ManagedThread &self, void *cond, void *mutex, int clock,
                           const struct timespec *abstime) {
  if (abstime == nullptr || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)) {
    return EINVAL;
  }
  return cond_wait(self, cond, mutex, clock, abstime);
}

int pthread_cond_signal(ManagedThread &self, void *cond) { return cond_notify(self, cond, false); }

int pthread_cond_broadcast(ManagedThread &self, void *cond) {
  return cond_notify(self, cond, true);
}

// ---------------------------------------------------------------------------------------
// Semaphores: the real sem_t keeps the count; waiting is cooperative.

int sem_wait(ManagedThread &self, void *sem) {
  return errno_result(sem_acquire(self, sem, CLOCK_REALTIME, nullptr));
}

int sem_trywait(ManagedThread &self, void *sem) {
  RuntimeSection section(self);
  if (error_on_teardown(EAGAIN, [&] {
        self.execution->step(self, sync_event(EventKind::Wait, sem));
        return 0;
      }) != 0) {
    return errno_result(EAGAIN);
  }
  return real::sem_trywait(sem);
}

int sem_timedwait(ManagedThread &self, void *sem, const struct timespec *abstime) {
  if (abstime == nullptr) {
    return errno_result(EINVAL);
  }
  return errno_result(sem_acquire(self, sem, CLOCK_REALTIME, abstime));
}

int sem_clockwait(ManagedThread &self, void *sem, int clock, const struct timespec *abstime) {
  if (abstime == nullptr || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)) {
    return errno_result(EINVAL);
  }
  return errno_result(sem_acquire(self, sem, clock, abstime));
}

int sem_post(ManagedThread &self, void *sem) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  step_through_teardown(self, sync_event(EventKind::Notify, sem));
  const int rc = real::sem_post(sem);
  if (rc == 0) {
    execution.wake_some(WaitKind::Semaphore, sem, 1); // it retries; one post, one waiter
  }
  return rc;
}

// ---------------------------------------------------------------------------------------
// Barriers: modelled per execution (arrivals and rounds), the real barrier is not touched.

int pthread_barrier_wait(ManagedThread &self, void *barrier) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  return error_on_teardown(EINVAL, [&] {
    execution.step(self, sync_event(EventKind::Wait, barrier));
    SyncTable::State &state = execution.sync().state(barrier);
    if (state.count == 0) {
      state.count = static_cast<const GlibcBarrier *>(barrier)->count;
    }
    if (++state.arrived >= state.count) {
      state.arrived = 0;
      ++state.round;
      execution.wake_all(WaitKind::Barrier, barrier);
      return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    const std::uint64_t round = state.round;
    while (execution.sync().state(barrier).round == round) {
      execution.block(self, WaitTarget{WaitKind::Barrier, barrier});
    }
    return 0;
  });
}

// ---------------------------------------------------------------------------------------
// Once: the real pthread_once runs the initialiser (so the control ends up done for everyone),
// but only one managed thread calls it at a time; the others block until it has finished.

int pthread_once(ManagedThread &self, void *control, real::OnceRoutine init) {
  Execution &execution = *self.execution;
  {
    RuntimeSection section(self);
    execution.step(self, sync_event(EventKind::Once, control));
    for (;;) {
      if (once_done(control)) {
        return 0;
      }
      SyncTable::State &state = execution.sync().state(control);
      if (state.owner < 0) {
        state.owner = self.id;
        break;
      }
      // Also when the owner is this thread: a recursive call deadlocks, as with glibc.
      execution.block(self, WaitTarget{WaitKind::Once, control});
    }
  }
  const auto finished = [&] {
    RuntimeSection section(self);
    execution.sync().state(control).owner = -1;
    execution.wake_all(WaitKind::Once, control);
  };
  int rc = 0;
  try {
    rc = real::pthread_once(control, init); // the initialiser runs as managed code
  } catch (...) {
    finished(); // it threw: glibc has reset the control, another thread may try
    throw;
  }
  finished();
  return rc;
}

// ---------------------------------------------------------------------------------------
// Futex

long syscall(ManagedThread &self, long number, long a1, long a2, long a3, long a4, long a5,
             long a6) {
  if (number == SYS_write && a1 == 2) { // Abseil's raw logging writes with the system call
    note_stderr(self, reinterpret_cast<const char *>(a2), // NOLINT(performance-no-int-to-ptr)
                static_cast<std::size_t>(a3));
  }
  if (number != SYS_futex) {
    return real::syscall(number, a1, a2, a3, a4, a5, a6);
  }
  // syscall() passes pointers as longs.
  auto *word = reinterpret_cast<std::uint32_t *>(a1); // NOLINT(performance-no-int-to-ptr)
  const int op = static_cast<int>(a2);
  const auto *timeout =
      reinterpret_cast<const struct timespec *>(a4); // NOLINT(performance-no-int-to-ptr)
  const int clock = (op & FUTEX_CLOCK_REALTIME) != 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
  const auto wake_outside = [&](int count) {
    return real::syscall(number, a1, a2, count, a4, a5, a6);
  };
  switch (op & FUTEX_CMD_MASK) {
  case FUTEX_WAIT:
    return futex_wait(self, word, static_cast<std::uint32_t>(a3), timeout, false, clock,
                      FUTEX_BITSET_MATCH_ANY);
  case FUTEX_WAIT_BITSET:
    return futex_wait(self, word, static_cast<std::uint32_t>(a3), timeout, true, clock,
                      static_cast<std::uint32_t>(a6));
  case FUTEX_WAKE:
    return futex_wake(self, word, static_cast<int>(a3), FUTEX_BITSET_MATCH_ANY, wake_outside);
  case FUTEX_WAKE_BITSET:
    return futex_wake(self, word, static_cast<int>(a3), static_cast<std::uint32_t>(a6),
                      wake_outside);
  default:
    return real::syscall(number, a1, a2, a3, a4, a5, a6); // requeue, PI: not modelled
  }
}

void task_wait(ManagedThread &self, std::uint32_t *word, std::uint32_t seen) {
  futex_wait(self, word, seen, nullptr, false, CLOCK_MONOTONIC, FUTEX_BITSET_MATCH_ANY,
             /*task=*/true);
}

} // namespace interlace::rt::detail::managed
