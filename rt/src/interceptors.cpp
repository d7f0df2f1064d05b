// Interposed blocking primitives. The runtime is linked before libc, so these definitions
// win for the program and for libstdc++ (std::thread, std::mutex) alike. Every wrapper has
// the same shape: outside a managed thread, the real function; inside, the managed version
// (a yield point plus cooperative blocking, see primitives.cpp).
//
// Families: threads and mutexes now; condition variables, rwlocks, semaphores, spinlocks,
// barriers, once, sleep and futex follow in the same form.
//
// This file must not include <pthread.h>: glibc declares these functions noexcept in C++,
// and a torn-down thread is unwound by an exception thrown from inside them.
#include "primitives.hpp"

using interlace::rt::detail::managed_self;
using interlace::rt::detail::ManagedThread;
namespace managed = interlace::rt::detail::managed;
namespace real = interlace::rt::real;

#define INTERLACE_INTERCEPT(ret, name, params, ...)                                                \
  extern "C" ret name params {                                                                     \
    if (ManagedThread *self = managed_self()) {                                                    \
      return managed::name(*self, __VA_ARGS__);                                                    \
    }                                                                                              \
    return real::name(__VA_ARGS__);                                                                \
  }

// --- threads -------------------------------------------------------------------------------
INTERLACE_INTERCEPT(int, pthread_create,
                    (real::ThreadHandle * thread, const void *attr, real::StartRoutine start,
                     void *arg),
                    thread, attr, start, arg)
INTERLACE_INTERCEPT(int, pthread_join, (real::ThreadHandle thread, void **retval), thread, retval)
INTERLACE_INTERCEPT(int, pthread_detach, (real::ThreadHandle thread), thread)

extern "C" [[noreturn]] void pthread_exit(void *retval) {
  if (ManagedThread *self = managed_self()) {
    managed::pthread_exit(*self, retval);
  }
  real::pthread_exit(retval);
}

// --- mutexes -------------------------------------------------------------------------------
INTERLACE_INTERCEPT(int, pthread_mutex_lock, (void *mutex), mutex)
INTERLACE_INTERCEPT(int, pthread_mutex_trylock, (void *mutex), mutex)
INTERLACE_INTERCEPT(int, pthread_mutex_timedlock, (void *mutex, const struct timespec *abstime),
                    mutex, abstime)
INTERLACE_INTERCEPT(int, pthread_mutex_clocklock,
                    (void *mutex, int clock, const struct timespec *abstime), mutex, clock, abstime)
INTERLACE_INTERCEPT(int, pthread_mutex_unlock, (void *mutex), mutex)
