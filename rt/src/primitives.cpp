#include "primitives.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <ctime>

#include "execution.hpp"
#include "futex.hpp"
#include "thread_pool.hpp"

namespace interlace::rt::detail {

ManagedThread *managed_self() noexcept {
  ManagedThread *self = current_thread();
  return self != nullptr && !self->in_runtime ? self : nullptr;
}

namespace managed {
namespace {

Event sync_event(EventKind kind, const void *object) { return Event{kind, 0, object, nullptr}; }

pthread_mutex_t *as_mutex(void *mutex) { return static_cast<pthread_mutex_t *>(mutex); }

// glibc keeps the owner's kernel thread id and the mutex type in the mutex itself.
bool is_errorcheck(void *mutex) {
  return (as_mutex(mutex)->__data.__kind & 3) == PTHREAD_MUTEX_ERRORCHECK_NP;
}
bool owned_by_caller(void *mutex) { return as_mutex(mutex)->__data.__owner == raw_gettid(); }
bool fully_released(void *mutex) { return as_mutex(mutex)->__data.__owner == 0; }

// glibc declares the mutex and thread-creation functions noexcept in C++, so a Teardown must
// not leave them: a frame without a landing pad for the call would send it to std::terminate
// and the thread would end without running its destructors. Report the end of the execution
// through the function's error code instead; libstdc++ turns it into std::system_error, an
// ordinary exception that unwinds normally, and code that ignores the code meets a Teardown
// at its next yield point.
template <class Operation> int error_on_teardown(int code, Operation &&operation) {
  try {
    return operation();
  } catch (const Teardown &) {
    return code;
  }
}

bool valid_abstime(const struct timespec *abstime) {
  return abstime != nullptr && abstime->tv_nsec >= 0 && abstime->tv_nsec < 1'000'000'000;
}

std::int64_t nanoseconds(const struct timespec &time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

// An absolute timeout on `clock` as a CLOCK_MONOTONIC time, so that waits on different
// clocks can be ordered.
std::int64_t monotonic_deadline_ns(int clock, const struct timespec &abstime) {
  if (clock == CLOCK_MONOTONIC) {
    return nanoseconds(abstime);
  }
  struct timespec now_real{};
  struct timespec now_monotonic{};
  clock_gettime(CLOCK_REALTIME, &now_real);
  clock_gettime(CLOCK_MONOTONIC, &now_monotonic);
  return nanoseconds(abstime) - nanoseconds(now_real) + nanoseconds(now_monotonic);
}

// Acquires `mutex` cooperatively. A timed acquisition (abstime on `clock`) times out only
// when no other managed thread can run: that is how the runtime models time.
int acquire(ManagedThread &self, void *mutex, int clock, const struct timespec *abstime) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, sync_event(EventKind::Lock, mutex));
  for (;;) {
    const int rc = real::pthread_mutex_trylock(mutex);
    if (rc == 0 || rc == EOWNERDEAD) {
      execution.note_acquired(mutex, self);
      return rc;
    }
    if (rc != EBUSY) {
      return rc;
    }
    if (is_errorcheck(mutex) && owned_by_caller(mutex)) {
      return EDEADLK;
    }
    const bool timed = abstime != nullptr;
    if (timed && !valid_abstime(abstime)) {
      return EINVAL;
    }
    WaitTarget target{WaitKind::Mutex, mutex, timed};
    if (timed) {
      target.deadline_ns = monotonic_deadline_ns(clock, *abstime);
    }
    execution.block(self, target);
    if (self.timed_out) {
      return ETIMEDOUT;
    }
  }
}

} // namespace

int pthread_create(ManagedThread &self, real::ThreadHandle *thread, const void *attr,
                   real::StartRoutine start, void *arg) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  const int rc = error_on_teardown(EAGAIN, [&] {
    execution.step(self, sync_event(EventKind::Spawn, nullptr));
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
    execution.block(self, WaitTarget{WaitKind::Join, child, false});
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
  if (error_on_teardown(EINVAL, [&] {
        execution.step(self, sync_event(EventKind::Detach, child));
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

int pthread_mutex_lock(ManagedThread &self, void *mutex) {
  return error_on_teardown(EDEADLK, [&] { return acquire(self, mutex, CLOCK_REALTIME, nullptr); });
}

int pthread_mutex_trylock(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  if (error_on_teardown(EBUSY, [&] {
        execution.step(self, sync_event(EventKind::Lock, mutex));
        return 0;
      }) != 0) {
    return EBUSY;
  }
  const int rc = real::pthread_mutex_trylock(mutex);
  if (rc == 0 || rc == EOWNERDEAD) {
    execution.note_acquired(mutex, self);
  }
  return rc;
}

int pthread_mutex_timedlock(ManagedThread &self, void *mutex, const struct timespec *abstime) {
  return error_on_teardown(EDEADLK, [&] { return acquire(self, mutex, CLOCK_REALTIME, abstime); });
}

int pthread_mutex_clocklock(ManagedThread &self, void *mutex, int clock,
                            const struct timespec *abstime) {
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
    return EINVAL;
  }
  return error_on_teardown(EDEADLK, [&] { return acquire(self, mutex, clock, abstime); });
}

int pthread_mutex_unlock(ManagedThread &self, void *mutex) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  // Unlocking must happen even when the execution ends here: destructors rely on it.
  error_on_teardown(0, [&] {
    execution.step(self, sync_event(EventKind::Unlock, mutex));
    return 0;
  });
  const int rc = real::pthread_mutex_unlock(mutex);
  if (rc == 0 && fully_released(mutex)) {
    execution.note_released(mutex);
    execution.wake_all(WaitKind::Mutex, mutex);
  }
  return rc;
}

} // namespace managed
} // namespace interlace::rt::detail
