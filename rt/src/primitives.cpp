// Threads, mutexes, rwlocks, spinlocks and abort/assert in managed threads.
#include "primitives.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>

#include "execution.hpp"
#include "futex.hpp"
#include "interlace/annotations.h"
#include "primitive_support.hpp"
#include "sanitizers.hpp"
#include "thread_pool.hpp"

namespace interlace::rt::detail {

ManagedThread *managed_self() noexcept {
  ManagedThread *self = current_thread();
  return self != nullptr && !self->in_runtime ? self : nullptr;
}

ManagedThread *clock_reader() noexcept {
  ManagedThread *self = current_thread();
  return self != nullptr && (!self->in_runtime || self->hidden) ? self : nullptr;
}

ManagedThread *hidden_self() noexcept {
  ManagedThread *self = current_thread();
  return self != nullptr && self->hidden ? self : nullptr;
}

namespace managed {
namespace {

pthread_mutex_t *as_mutex(void *mutex) { return static_cast<pthread_mutex_t *>(mutex); }

bool fully_released(void *mutex) { return as_mutex(mutex)->__data.__owner == 0; }

// Takes a lock cooperatively: `try_lock` (the real non-blocking call) until it does not
// report `busy`, blocking on `target` in between. A timed wait gives ETIMEDOUT.
template <class TryLock>
int acquire(ManagedThread &self, const WaitTarget &target, int busy, TryLock &&try_lock) {
  for (;;) {
    const int rc = try_lock();
    if (rc != busy) {
      return rc;
    }
    self.execution->block(self, target);
    if (self.timed_out) {
      return ETIMEDOUT;
    }
  }
}

int rwlock_acquire(ManagedThread &self, void *rwlock, bool write, int clock,
                   const struct timespec *abstime) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(write ? EventKind::Lock : EventKind::ReadLock, rwlock));
  // glibc's own check: the caller holds the write lock.
  if (execution.locks().holds(rwlock, self, LockTable::Hold::Exclusive)) {
    return EDEADLK;
  }
  if (abstime != nullptr && !valid_timespec(abstime)) {
    return EINVAL;
  }
  const int rc = acquire(self,
                         wait_target(execution, write ? WaitKind::WriteLock : WaitKind::ReadLock,
                                     rwlock, clock, abstime),
                         EBUSY, [&] {
                           return write ? real::pthread_rwlock_trywrlock(rwlock)
                                        : real::pthread_rwlock_tryrdlock(rwlock);
                         });
  if (rc == 0) {
    execution.locks().note_acquired(rwlock, LockTable::Type::RwLock, self,
                                    write ? LockTable::Hold::Exclusive : LockTable::Hold::Read);
  }
  return rc;
}

int rwlock_trylock(ManagedThread &self, void *rwlock, bool write) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  if (error_on_teardown(EBUSY, [&] {
        execution.step(self, try_lock_event(write ? EventKind::Lock : EventKind::ReadLock, rwlock));
        return 0;
      }) != 0) {
    return EBUSY;
  }
  const int rc =
      write ? real::pthread_rwlock_trywrlock(rwlock) : real::pthread_rwlock_tryrdlock(rwlock);
  if (rc == 0) {
    execution.locks().note_acquired(rwlock, LockTable::Type::RwLock, self,
                                    write ? LockTable::Hold::Exclusive : LockTable::Hold::Read);
  }
  return rc;
}

bool valid_wait_clock(int clock) { return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC; }

} // namespace

// ---------------------------------------------------------------------------------------
// Shared helpers (primitive_support.hpp)

bool is_errorcheck(void *mutex) {
  return (as_mutex(mutex)->__data.__kind & 3) == PTHREAD_MUTEX_ERRORCHECK_NP;
}

bool owned_by_caller(void *mutex) { return as_mutex(mutex)->__data.__owner == raw_gettid(); }

// A timed acquisition (abstime on `clock`) times out only when no other managed thread can
// run: that is how the runtime models time.
int lock_mutex(ManagedThread &self, void *mutex, int clock, const struct timespec *abstime) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(EventKind::Lock, mutex));
  for (;;) {
    const int rc = real::pthread_mutex_trylock(mutex);
    if (rc == 0 || rc == EOWNERDEAD) {
      execution.locks().note_acquired(mutex, LockTable::Type::Mutex, self);
      return rc;
    }
    if (rc != EBUSY) {
      return rc;
    }
    if (is_errorcheck(mutex) && owned_by_caller(mutex)) {
      return EDEADLK;
    }
    if (abstime != nullptr && !valid_timespec(abstime)) {
      return EINVAL;
    }
    execution.block(self, wait_target(execution, WaitKind::Mutex, mutex, clock, abstime));
    if (self.timed_out) {
      return ETIMEDOUT;
    }
  }
}

void relock_mutex_unwinding(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  const int rc = acquire(self, WaitTarget{WaitKind::Mutex, mutex}, EBUSY,
                         [&] { return real::pthread_mutex_trylock(mutex); });
  if (rc == 0 || rc == EOWNERDEAD) {
    self.execution->locks().note_acquired(mutex, LockTable::Type::Mutex, self);
  }
}

int unlock_mutex(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  // A thread being unwound may leave a condvar wait without its mutex (see waits.cpp): its
  // unique_lock must not release another thread's lock.
  if (self.unwinding && !owned_by_caller(mutex)) {
    return EPERM;
  }
  const int rc = real::pthread_mutex_unlock(mutex);
  if (rc == 0 && fully_released(mutex)) {
    execution.locks().note_released(mutex);
    execution.wake_all(WaitKind::Mutex, mutex);
  }
  return rc;
}

// ---------------------------------------------------------------------------------------
// Threads

int pthread_create(ManagedThread &self, real::ThreadHandle *thread, const void *attr,
                   real::StartRoutine start, void *arg) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  // Under a sanitizer that holds its lock around this call, no yield (sanitizers.hpp).
  const bool sanitized = sanitizer_wraps_thread_starts();
  const int rc = error_on_teardown(EAGAIN, [&] {
    if (!sanitized) {
      execution.step(self, sync_event(EventKind::Spawn, nullptr));
    }
    return execution.ending() ? EAGAIN : 0; // no new threads while the execution ends
  });
  if (rc != 0) {
    return rc;
  }
  int detach_state = PTHREAD_CREATE_JOINABLE;
  if (attr != nullptr) {
    pthread_attr_getdetachstate(static_cast<const pthread_attr_t *>(attr), &detach_state);
  }
  ManagedThread &child = execution.spawn(start, arg);
  child.detached = detach_state == PTHREAD_CREATE_DETACHED;
  if (sanitized) {
    // `start` is the sanitizer's, which runs once per OS thread: the worker ends with it.
    child.worker->dead.store(true, std::memory_order_release);
    // The sanitizer adopts the worker's alternate signal stack and unmaps it when the thread
    // ends: the pool must not unmap it a second time (the range may be the sanitizer's by then).
    child.worker->signal_stack_adopted.store(true, std::memory_order_release);
  }
  *thread = child.worker->handle;
  return 0;
}

int pthread_join(ManagedThread &self, real::ThreadHandle thread, void **retval) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  ManagedThread *child = execution.find(thread);
  if (child == nullptr) {
    return real::pthread_join(thread, retval); // not one of ours
  }
  if (child == &self) {
    return EDEADLK;
  }
  if (child->detached || child->joined) {
    return EINVAL;
  }
  execution.step(self, sync_event(EventKind::Join, child));
  while (child->status != ThreadStatus::Finished) {
    execution.block(self, WaitTarget{WaitKind::Join, child});
  }
  child->joined = true;
  if (retval != nullptr) {
    *retval = child->retval;
  }
  return 0;
}

int pthread_detach(ManagedThread &self, real::ThreadHandle thread) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  ManagedThread *child = execution.find(thread);
  if (child == nullptr) {
    return real::pthread_detach(thread);
  }
  if (!sanitizer_wraps_thread_starts() && error_on_teardown(EINVAL, [&] {
                                            execution.step(self,
                                                           sync_event(EventKind::Detach, child));
                                            return 0;
                                          }) != 0) {
    return EINVAL;
  }
  if (child->detached || child->joined) {
    return EINVAL;
  }
  child->detached = true;
  return 0;
}

void pthread_exit(ManagedThread &self, void *retval) {
  self.exiting = true;
  self.retval = retval;
  throw ThreadExit{retval};
}

// ---------------------------------------------------------------------------------------
// Mutexes

int pthread_mutex_lock(ManagedThread &self, void *mutex) {
  return error_on_teardown(EDEADLK,
                           [&] { return lock_mutex(self, mutex, CLOCK_REALTIME, nullptr); });
}

int hidden_pthread_mutex_lock(ManagedThread &self, void *mutex) {
  const int rc = real::pthread_mutex_trylock(mutex);
  if (rc == 0 || rc == EOWNERDEAD) {
    self.execution->locks().note_acquired(mutex, LockTable::Type::Mutex, self);
    return rc;
  }
  const int owner = as_mutex(mutex)->__data.__owner;
  if (rc != EBUSY || owner == raw_gettid() || self.execution->find_by_tid(owner) == nullptr) {
    return real::pthread_mutex_lock(mutex); // its own, or an unmanaged thread's: that one runs
  }
  // Visible for the wait, as a driver's unhidden stretch is, and hidden again however the wait
  // ends (a teardown unwinds out of it).
  struct Unhidden {
    int previous = interlace_unhide_begin();
    Unhidden() = default;
    ~Unhidden() { interlace_hide_end(previous); }
    Unhidden(const Unhidden &) = delete;
    Unhidden &operator=(const Unhidden &) = delete;
  } const unhidden;
  return pthread_mutex_lock(self, mutex);
}

int hidden_pthread_mutex_unlock(ManagedThread &self, void *mutex) {
  return unlock_mutex(self, mutex); // no step: the stretch stays hidden
}

int pthread_mutex_trylock(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  if (error_on_teardown(EBUSY, [&] {
        execution.step(self, try_lock_event(EventKind::Lock, mutex));
        return 0;
      }) != 0) {
    return EBUSY;
  }
  const int rc = real::pthread_mutex_trylock(mutex);
  if (rc == 0 || rc == EOWNERDEAD) {
    execution.locks().note_acquired(mutex, LockTable::Type::Mutex, self);
  }
  return rc;
}

int pthread_mutex_timedlock(ManagedThread &self, void *mutex, const struct timespec *abstime) {
  return error_on_teardown(EDEADLK,
                           [&] { return lock_mutex(self, mutex, CLOCK_REALTIME, abstime); });
}

int pthread_mutex_clocklock(ManagedThread &self, void *mutex, int clock,
                            const struct timespec *abstime) {
  if (!valid_wait_clock(clock)) {
    return EINVAL;
  }
  return error_on_teardown(EDEADLK, [&] { return lock_mutex(self, mutex, clock, abstime); });
}

int pthread_mutex_unlock(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  // Unlocking must happen even when the execution ends here: destructors rely on it.
  step_through_teardown(self, sync_event(EventKind::Unlock, mutex));
  return unlock_mutex(self, mutex);
}

// ---------------------------------------------------------------------------------------
// Read-write locks. Waiting writers are invisible to glibc's lock (nobody really waits on
// it), so new readers may pass them: the lock behaves as reader-preferring.

int pthread_rwlock_rdlock(ManagedThread &self, void *rwlock) {
  return error_on_teardown(
      EDEADLK, [&] { return rwlock_acquire(self, rwlock, false, CLOCK_REALTIME, nullptr); });
}

int pthread_rwlock_tryrdlock(ManagedThread &self, void *rwlock) {
  return rwlock_trylock(self, rwlock, false);
}

// A timed acquisition ends in ETIMEDOUT on teardown: libstdc++ retries the timed shared lock
// on EDEADLK, which would spin forever.
int pthread_rwlock_timedrdlock(ManagedThread &self, void *rwlock, const struct timespec *abstime) {
  return error_on_teardown(
      ETIMEDOUT, [&] { return rwlock_acquire(self, rwlock, false, CLOCK_REALTIME, abstime); });
}

int pthread_rwlock_clockrdlock(ManagedThread &self, void *rwlock, int clock,
                               const struct timespec *abstime) {
  if (!valid_wait_clock(clock)) {
    return EINVAL;
  }
  return error_on_teardown(ETIMEDOUT,
                           [&] { return rwlock_acquire(self, rwlock, false, clock, abstime); });
}

int pthread_rwlock_wrlock(ManagedThread &self, void *rwlock) {
  return error_on_teardown(
      EDEADLK, [&] { return rwlock_acquire(self, rwlock, true, CLOCK_REALTIME, nullptr); });
}

int pthread_rwlock_trywrlock(ManagedThread &self, void *rwlock) {
  return rwlock_trylock(self, rwlock, true);
}

int pthread_rwlock_timedwrlock(ManagedThread &self, void *rwlock, const struct timespec *abstime) {
  return error_on_teardown(
      ETIMEDOUT, [&] { return rwlock_acquire(self, rwlock, true, CLOCK_REALTIME, abstime); });
}

int pthread_rwlock_clockwrlock(ManagedThread &self, void *rwlock, int clock,
                               const struct timespec *abstime) {
  if (!valid_wait_clock(clock)) {
    return EINVAL;
  }
  return error_on_teardown(ETIMEDOUT,
                           [&] { return rwlock_acquire(self, rwlock, true, clock, abstime); });
}

int pthread_rwlock_unlock(ManagedThread &self, void *rwlock) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  step_through_teardown(self, sync_event(EventKind::Unlock, rwlock));
  if (!execution.locks().note_released(rwlock, self) && self.unwinding) {
    return EPERM; // not ours: a thread being unwound must not release another's hold
  }
  const int rc = real::pthread_rwlock_unlock(rwlock);
  execution.wake_all(WaitKind::ReadLock, rwlock);
  execution.wake_all(WaitKind::WriteLock, rwlock);
  return rc;
}

// ---------------------------------------------------------------------------------------
// Spinlocks: a spinning thread blocks instead, so that a spinlock deadlock is reported.

int pthread_spin_lock(ManagedThread &self, void *lock) {
  return error_on_teardown(EDEADLK, [&] {
    RuntimeSection section(self);
    Execution &execution = *self.execution;
    execution.step(self, sync_event(EventKind::Lock, lock));
    const int rc = acquire(self, WaitTarget{WaitKind::Spin, lock}, EBUSY,
                           [&] { return real::pthread_spin_trylock(lock); });
    if (rc == 0) {
      execution.locks().note_acquired(lock, LockTable::Type::Spin, self);
    }
    return rc;
  });
}

int pthread_spin_trylock(ManagedThread &self, void *lock) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  if (error_on_teardown(EBUSY, [&] {
        execution.step(self, try_lock_event(EventKind::Lock, lock));
        return 0;
      }) != 0) {
    return EBUSY;
  }
  const int rc = real::pthread_spin_trylock(lock);
  if (rc == 0) {
    execution.locks().note_acquired(lock, LockTable::Type::Spin, self);
  }
  return rc;
}

int pthread_spin_unlock(ManagedThread &self, void *lock) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  step_through_teardown(self, sync_event(EventKind::Unlock, lock));
  if (self.unwinding && !execution.locks().holds(lock, self, LockTable::Hold::Exclusive)) {
    return EPERM;
  }
  const int rc = real::pthread_spin_unlock(lock);
  execution.locks().note_released(lock);
  execution.wake_all(WaitKind::Spin, lock);
  return rc;
}

// ---------------------------------------------------------------------------------------
// Process. Both are noreturn and noexcept, so nothing can be unwound: the execution fails
// with the message, and the OS thread ends the way std::terminate ends it (executor.cpp).

void abort(ManagedThread &self) {
  self.in_runtime = true; // for good: the thread does not return to the code under test
  self.execution->terminate_thread(self, FailureKind::Exception,
                                   "thread " + std::to_string(self.id) + " called abort()");
}

void assert_fail(ManagedThread &self, const char *assertion, const char *file, unsigned line,
                 const char *function) {
  self.in_runtime = true;
  const char *slash = std::strrchr(file, '/');
  self.execution->terminate_thread(
      self, FailureKind::Exception,
      "thread " + std::to_string(self.id) + " failed an assertion: `" + assertion + "` in " +
          function + " at " + (slash != nullptr ? slash + 1 : file) + ":" + std::to_string(line));
}

// Ending the process from a managed thread would run exit handlers and static destructors on
// it while the other threads stand parked mid-step, and end the exploration with them.
void exit(ManagedThread &self, const char *function, int status) {
  self.in_runtime = true;
  const interlace_site *site = __interlace_call_site;
  const std::string where = site != nullptr && site->line != 0 ? " at " + site_text(site) : "";
  self.execution->terminate_thread(self, FailureKind::Exit,
                                   "thread " + std::to_string(self.id) + " called " + function +
                                       "(" + std::to_string(status) + ")" + where);
}

} // namespace managed
} // namespace interlace::rt::detail
