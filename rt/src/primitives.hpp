// What each intercepted primitive does in a managed thread: a yield point, then cooperative
// blocking (try the real operation without blocking; if it would block, mark the thread
// blocked on the object and hand the turn on). interceptors.cpp routes calls here.
//
// Threads, mutexes, rwlocks, spinlocks and abort live in primitives.cpp; condvars,
// semaphores, barriers, once and futex in waits.cpp; sleeping and the clock in time.cpp.
//
// Signatures are opaque like real.hpp's, so that no <pthread.h> declaration reaches the
// interceptor definitions. Functions that report errors through errno (semaphores, sleeps,
// syscall) set it here.
#pragma once

#include <cstdint>

#include "real.hpp"

namespace interlace::rt::detail {

struct ManagedThread;

// The managed thread on this OS thread, or null when calls go straight to libc.
ManagedThread *managed_self() noexcept;
// The managed thread whose execution's clock a clock read on this thread gets: managed_self(),
// and also a managed thread in a driver's hidden stretch.
ManagedThread *clock_reader() noexcept;
// A managed thread in a driver's hidden stretch, or null.
ManagedThread *hidden_self() noexcept;

namespace managed {

using real::OnceRoutine;
using real::StartRoutine;
using real::ThreadHandle;

// The table's functions (intercepted.def), each with the calling managed thread first.
// Threads: primitives.cpp; mutexes, of every type (normal, recursive, error-checking, robust,
// priority-inheriting): primitives.cpp; condition variables, modelled without the real
// condvar: waits.cpp; rwlocks and spinlocks: primitives.cpp; semaphores, barriers, once:
// waits.cpp; sleeping (a yield point, no real sleep) and the execution's clock: time.cpp;
// output: output.cpp.
// `(a, b)` after a leading argument: `f(self INTERLACE_AFTER_SELF (a, b))` is `f(self, a, b)`,
// and `f(self)` for `()`. Also used by interceptors.cpp.
#define INTERLACE_AFTER_SELF(...) __VA_OPT__(, ) __VA_ARGS__
#define INTERLACE_FUNCTION(family, ret, name, params, args)                                        \
  ret name(ManagedThread &self INTERLACE_AFTER_SELF params);
#define INTERLACE_FUNCTION_VERSIONED(family, ret, name, version, params, args)                     \
  INTERLACE_FUNCTION(family, ret, name, params, args)
#include "intercepted.def"
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION

[[noreturn]] void pthread_exit(ManagedThread &self, void *retval);

// A mutex in a driver's hidden stretch (its bookkeeping runs real calls without yield points,
// one thread at a time). Locking: the real lock, or, when another managed thread holds it
// (parked at a step while it does), the managed wait, visible until the lock is taken: waiting
// for real would wait for a thread that runs only once this one hands the turn on. Unlocking:
// the real unlock, and the threads waiting on it are woken.
int hidden_pthread_mutex_lock(ManagedThread &self, void *mutex);
int hidden_pthread_mutex_unlock(ManagedThread &self, void *mutex);

// Futex wait and wake; every other system call goes to the real syscall()
long syscall(ManagedThread &self, long number, long a1, long a2, long a3, long a4, long a5,
             long a6);

// An async task's event loop waits, with nothing to run, for a completion to post it a handler
// (interlace_task_wait): a futex wait on `word` while it holds `seen`, reported as the task's.
void task_wait(ManagedThread &self, std::uint32_t *word, std::uint32_t seen);

// Process: the execution fails and the calling OS thread ends (the process goes on)
[[noreturn]] void abort(ManagedThread &self);
[[noreturn]] void exit(ManagedThread &self, const char *function, int status);
[[noreturn]] void assert_fail(ManagedThread &self, const char *assertion, const char *file,
                              unsigned line, const char *function);

} // namespace managed
} // namespace interlace::rt::detail
