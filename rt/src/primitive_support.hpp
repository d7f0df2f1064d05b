// Helpers shared by the managed primitives (primitives.cpp, waits.cpp, time.cpp).
#pragma once

#include <pthread.h>

#include <cstdint>
#include <ctime>

#include "execution.hpp"

namespace interlace::rt::detail::managed {

// An intercepted primitive's event, at the site of the instrumented call that led to it.
inline Event sync_event(EventKind kind, const void *object) {
  return Event{kind, 0, object, __interlace_call_site};
}

// A lock acquisition that fails instead of blocking (trylock): Event::size 1 says so.
inline Event try_lock_event(EventKind kind, const void *object) {
  return Event{kind, 1, object, __interlace_call_site};
}

// glibc declares many of these functions noexcept in C++ (the mutex, rwlock, spinlock,
// signal and thread-creation functions, syscall), so a Teardown must not leave them: a frame
// without a landing pad for the call would send it to std::terminate and the thread would end
// without running its destructors. Report the end of the execution through the function's
// error code instead; libstdc++ turns most of them into std::system_error, an ordinary
// exception that unwinds normally, and code that ignores the code meets a Teardown at its
// next yield point.
template <class Operation> int error_on_teardown(int code, Operation &&operation) {
  try {
    return operation();
  } catch (const Teardown &) {
    return code;
  }
}

// The yield point of an operation that must happen even when the execution ends at it (an
// unlock, a post, a notify: destructors rely on them). A teardown there is not reported: the
// thread meets it at its next yield point.
inline void step_through_teardown(ManagedThread &self, const Event &event) {
  error_on_teardown(0, [&] {
    self.execution->step(self, event);
    return 0;
  });
}

inline bool valid_timespec(const struct timespec *time) {
  return time != nullptr && time->tv_nsec >= 0 && time->tv_nsec < 1'000'000'000;
}

inline std::int64_t nanoseconds(const struct timespec &time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

// A wait on (kind, object), timed when `abstime` (on `clock`) is given.
inline WaitTarget wait_target(const Execution &execution, WaitKind kind, const void *object,
                              int clock, const struct timespec *abstime) {
  WaitTarget target{kind, object, abstime != nullptr};
  if (abstime != nullptr) {
    target.deadline_ns = execution.clock().monotonic_ns(clock, nanoseconds(*abstime));
  }
  return target;
}

// Keeps what `self` writes to stderr for its execution's failure report (output.cpp).
void note_stderr(ManagedThread &self, const char *text, std::size_t size);

// glibc keeps the owner's kernel thread id and the mutex type in the mutex itself.
bool is_errorcheck(void *mutex);
bool owned_by_caller(void *mutex);

// Mutex operations a condvar wait is built from: take the mutex cooperatively (a yield point,
// then block while it is held; a timed acquisition times out only when nothing else can
// run), take it back while being unwound (no yield point; a forced unwind of the wait
// throws Teardown), and release it.
int lock_mutex(ManagedThread &self, void *mutex, int clock, const struct timespec *abstime);
void relock_mutex_unwinding(ManagedThread &self, void *mutex);
int unlock_mutex(ManagedThread &self, void *mutex);

} // namespace interlace::rt::detail::managed
