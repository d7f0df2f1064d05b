// What each intercepted primitive does in a managed thread: a yield point, then cooperative
// blocking (try the real operation without blocking; if it would block, mark the thread
// blocked on the object and hand the turn on). interceptors.cpp routes calls here.
//
// Signatures are opaque like real.hpp's, so that no <pthread.h> declaration reaches the
// interceptor definitions.
#pragma once

#include "real.hpp"

namespace interlace::rt::detail {

struct ManagedThread;

// The managed thread on this OS thread, or null when calls go straight to libc.
ManagedThread *managed_self() noexcept;

namespace managed {

// Threads
int pthread_create(ManagedThread &self, real::ThreadHandle *thread, const void *attr,
                   real::StartRoutine start, void *arg);
int pthread_join(ManagedThread &self, real::ThreadHandle thread, void **retval);
int pthread_detach(ManagedThread &self, real::ThreadHandle thread);
[[noreturn]] void pthread_exit(ManagedThread &self, void *retval);

// Mutexes, of every type (normal, recursive, error-checking, robust, priority-inheriting)
int pthread_mutex_lock(ManagedThread &self, void *mutex);
int pthread_mutex_trylock(ManagedThread &self, void *mutex);
int pthread_mutex_timedlock(ManagedThread &self, void *mutex, const struct timespec *abstime);
int pthread_mutex_clocklock(ManagedThread &self, void *mutex, int clock,
                            const struct timespec *abstime);
int pthread_mutex_unlock(ManagedThread &self, void *mutex);

} // namespace managed
} // namespace interlace::rt::detail
