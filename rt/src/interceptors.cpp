// Interposed blocking primitives. The runtime is linked before libc, so these definitions
// win for the program and for libstdc++ (std::thread, std::mutex, std::condition_variable,
// C++20 waits) alike. Every wrapper has the same shape: outside a managed thread, the real
// function; inside, the managed version (a yield point plus cooperative blocking, see
// primitives.hpp).
//
// Families: threads, mutexes, condition variables, rwlocks, semaphores, spinlocks, barriers,
// once, sleep and time, futex, process.
//
// This file must not include <pthread.h> (nor <unistd.h>, <semaphore.h>, <time.h>): glibc
// declares many of these functions noexcept in C++, and a torn-down thread is unwound by an
// exception thrown from inside them.
#include <linux/futex.h>
#include <sys/syscall.h>

#include <cstdarg>

#include "primitives.hpp"

using interlace::rt::detail::managed_self;
using interlace::rt::detail::ManagedThread;
namespace managed = interlace::rt::detail::managed;
namespace real = interlace::rt::real;

// NOLINTBEGIN(bugprone-macro-parentheses)
#define INTERLACE_INTERCEPT(ret, name, params, ...)                                                \
  extern "C" ret name params {                                                                     \
    if (ManagedThread *self = managed_self()) {                                                    \
      return managed::name(*self __VA_OPT__(, ) __VA_ARGS__);                                      \
    }                                                                                              \
    return real::name(__VA_ARGS__);                                                                \
  }
// NOLINTEND(bugprone-macro-parentheses)

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

// --- condition variables -------------------------------------------------------------------
INTERLACE_INTERCEPT(int, pthread_cond_wait, (void *cond, void *mutex), cond, mutex)
INTERLACE_INTERCEPT(int, pthread_cond_timedwait,
                    (void *cond, void *mutex, const struct timespec *abstime), cond, mutex, abstime)
INTERLACE_INTERCEPT(int, pthread_cond_clockwait,
                    (void *cond, void *mutex, int clock, const struct timespec *abstime), cond,
                    mutex, clock, abstime)
INTERLACE_INTERCEPT(int, pthread_cond_signal, (void *cond), cond)
INTERLACE_INTERCEPT(int, pthread_cond_broadcast, (void *cond), cond)

// --- rwlocks -------------------------------------------------------------------------------
INTERLACE_INTERCEPT(int, pthread_rwlock_rdlock, (void *rwlock), rwlock)
INTERLACE_INTERCEPT(int, pthread_rwlock_tryrdlock, (void *rwlock), rwlock)
INTERLACE_INTERCEPT(int, pthread_rwlock_timedrdlock, (void *rwlock, const struct timespec *abstime),
                    rwlock, abstime)
INTERLACE_INTERCEPT(int, pthread_rwlock_clockrdlock,
                    (void *rwlock, int clock, const struct timespec *abstime), rwlock, clock,
                    abstime)
INTERLACE_INTERCEPT(int, pthread_rwlock_wrlock, (void *rwlock), rwlock)
INTERLACE_INTERCEPT(int, pthread_rwlock_trywrlock, (void *rwlock), rwlock)
INTERLACE_INTERCEPT(int, pthread_rwlock_timedwrlock, (void *rwlock, const struct timespec *abstime),
                    rwlock, abstime)
INTERLACE_INTERCEPT(int, pthread_rwlock_clockwrlock,
                    (void *rwlock, int clock, const struct timespec *abstime), rwlock, clock,
                    abstime)
INTERLACE_INTERCEPT(int, pthread_rwlock_unlock, (void *rwlock), rwlock)

// --- semaphores ----------------------------------------------------------------------------
INTERLACE_INTERCEPT(int, sem_wait, (void *sem), sem)
INTERLACE_INTERCEPT(int, sem_trywait, (void *sem), sem)
INTERLACE_INTERCEPT(int, sem_timedwait, (void *sem, const struct timespec *abstime), sem, abstime)
INTERLACE_INTERCEPT(int, sem_clockwait, (void *sem, int clock, const struct timespec *abstime), sem,
                    clock, abstime)
INTERLACE_INTERCEPT(int, sem_post, (void *sem), sem)

// --- spinlocks, barriers, once -------------------------------------------------------------
INTERLACE_INTERCEPT(int, pthread_spin_lock, (void *lock), lock)
INTERLACE_INTERCEPT(int, pthread_spin_trylock, (void *lock), lock)
INTERLACE_INTERCEPT(int, pthread_spin_unlock, (void *lock), lock)
INTERLACE_INTERCEPT(int, pthread_barrier_wait, (void *barrier), barrier)
INTERLACE_INTERCEPT(int, pthread_once, (void *control, real::OnceRoutine init), control, init)

// --- sleep and time ------------------------------------------------------------------------
INTERLACE_INTERCEPT(unsigned, sleep, (unsigned seconds), seconds)
INTERLACE_INTERCEPT(int, usleep, (unsigned useconds), useconds)
INTERLACE_INTERCEPT(int, nanosleep, (const struct timespec *request, struct timespec *remaining),
                    request, remaining)
INTERLACE_INTERCEPT(int, clock_nanosleep,
                    (int clock, int flags, const struct timespec *request,
                     struct timespec *remaining),
                    clock, flags, request, remaining)
INTERLACE_INTERCEPT(int, sched_yield, ())
INTERLACE_INTERCEPT(int, clock_gettime, (int clock, struct timespec *time), clock, time)

// --- futex ---------------------------------------------------------------------------------
namespace {

// How many arguments a futex operation takes (futex(2)); the kernel ignores the others.
int futex_arg_count(long op) {
  switch (op & FUTEX_CMD_MASK) {
  case FUTEX_UNLOCK_PI:
  case FUTEX_TRYLOCK_PI:
    return 2;
  case FUTEX_WAKE:
  case FUTEX_FD:
    return 3;
  case FUTEX_WAIT:
  case FUTEX_LOCK_PI:
  case FUTEX_LOCK_PI2:
    return 4;
  case FUTEX_REQUEUE:
  case FUTEX_WAIT_REQUEUE_PI:
    return 5;
  default:
    return 6;
  }
}

// Reads args[from..count) from the variadic arguments. A count larger than what the caller
// passed reads past its arguments: glibc's own syscall() does that for every call (in
// assembly), and for a system call whose arity we do not know we must too. ASan would report
// that read as a stack-buffer-underflow in the caller's frame, hence no_sanitize; futex calls
// never need it, they read exactly what their operation takes.
// Takes a pointer: only then may the caller go on reading the list afterwards.
__attribute__((no_sanitize("address"))) void read_args(va_list *list, long *args, int from,
                                                       int count) {
  for (int i = from; i < count; ++i) {
    args[i] = va_arg(*list, long);
  }
}

} // namespace

// syscall() is variadic, and callers pass only what the call takes: libstdc++'s futex wakes
// pass three arguments after the number. Arguments not read are passed on as zero.
extern "C" long syscall(long number, ...) {
  va_list list;
  va_start(list, number);
  long args[6] = {};
  if (number == SYS_futex) {
    read_args(&list, args, 0, 2); // the word and the operation
    read_args(&list, args, 2, futex_arg_count(args[1]));
  } else {
    read_args(&list, args, 0, 6);
  }
  va_end(list);
  if (ManagedThread *self = managed_self()) {
    return managed::syscall(*self, number, args[0], args[1], args[2], args[3], args[4], args[5]);
  }
  return real::syscall(number, args[0], args[1], args[2], args[3], args[4], args[5]);
}

// --- process -------------------------------------------------------------------------------
extern "C" [[noreturn]] void abort() {
  if (ManagedThread *self = managed_self()) {
    managed::abort(*self);
  }
  real::abort();
}

extern "C" [[noreturn]] void __assert_fail(const char *assertion, const char *file, unsigned line,
                                           const char *function) {
  if (ManagedThread *self = managed_self()) {
    managed::assert_fail(*self, assertion, file, line, function);
  }
  real::assert_fail(assertion, file, line, function);
}
