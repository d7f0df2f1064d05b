// The real libc functions behind the ones the runtime interposes, found with
// dlsym(RTLD_NEXT). Runtime code that needs a primitive for itself calls these, never the
// plain names, which resolve to our own interceptors.
//
// Signatures are opaque (void * for pthread objects, unsigned long for pthread_t) so that
// interceptors.cpp can use them without including <pthread.h>, whose C++ declarations are
// noexcept and would forbid unwinding a torn-down thread out of an interceptor.
#pragma once

struct timespec;

namespace interlace::rt::real {

using ThreadHandle = unsigned long; // pthread_t on Linux
using StartRoutine = void *(*)(void *);

int pthread_create(ThreadHandle *thread, const void *attr, StartRoutine start, void *arg);
int pthread_join(ThreadHandle thread, void **retval);
int pthread_detach(ThreadHandle thread);
[[noreturn]] void pthread_exit(void *retval);

int pthread_mutex_lock(void *mutex);
int pthread_mutex_trylock(void *mutex);
int pthread_mutex_timedlock(void *mutex, const struct timespec *abstime);
int pthread_mutex_clocklock(void *mutex, int clock, const struct timespec *abstime);
int pthread_mutex_unlock(void *mutex);

} // namespace interlace::rt::real
