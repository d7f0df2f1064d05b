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

// Condition variables: modelled without the real condvar (see waits.cpp)
int pthread_cond_wait(ManagedThread &self, void *cond, void *mutex);
int pthread_cond_timedwait(ManagedThread &self, void *cond, void *mutex,
                           const struct timespec *abstime);
int pthread_cond_clockwait(ManagedThread &self, void *cond, void *mutex, int clock,
                           const struct timespec *abstime);
int pthread_cond_signal(ManagedThread &self, void *cond);
int pthread_cond_broadcast(ManagedThread &self, void *cond);

// Read-write locks
int pthread_rwlock_rdlock(ManagedThread &self, void *rwlock);
int pthread_rwlock_tryrdlock(ManagedThread &self, void *rwlock);
int pthread_rwlock_timedrdlock(ManagedThread &self, void *rwlock, const struct timespec *abstime);
int pthread_rwlock_clockrdlock(ManagedThread &self, void *rwlock, int clock,
                               const struct timespec *abstime);
int pthread_rwlock_wrlock(ManagedThread &self, void *rwlock);
int pthread_rwlock_trywrlock(ManagedThread &self, void *rwlock);
int pthread_rwlock_timedwrlock(ManagedThread &self, void *rwlock, const struct timespec *abstime);
int pthread_rwlock_clockwrlock(ManagedThread &self, void *rwlock, int clock,
                               const struct timespec *abstime);
int pthread_rwlock_unlock(ManagedThread &self, void *rwlock);

// Semaphores
int sem_wait(ManagedThread &self, void *sem);
int sem_trywait(ManagedThread &self, void *sem);
int sem_timedwait(ManagedThread &self, void *sem, const struct timespec *abstime);
int sem_clockwait(ManagedThread &self, void *sem, int clock, const struct timespec *abstime);
int sem_post(ManagedThread &self, void *sem);

// Spinlocks, barriers, once
int pthread_spin_lock(ManagedThread &self, void *lock);
int pthread_spin_trylock(ManagedThread &self, void *lock);
int pthread_spin_unlock(ManagedThread &self, void *lock);
int pthread_barrier_wait(ManagedThread &self, void *barrier);
int pthread_once(ManagedThread &self, void *control, real::OnceRoutine init);

// Sleeping (a yield point; no real sleep) and the execution's clock
unsigned sleep(ManagedThread &self, unsigned seconds);
int usleep(ManagedThread &self, unsigned useconds);
int nanosleep(ManagedThread &self, const struct timespec *request, struct timespec *remaining);
int clock_nanosleep(ManagedThread &self, int clock, int flags, const struct timespec *request,
                    struct timespec *remaining);
int sched_yield(ManagedThread &self);
int clock_gettime(ManagedThread &self, int clock, struct timespec *time);

// Futex wait and wake; every other system call goes to the real syscall()
long syscall(ManagedThread &self, long number, long a1, long a2, long a3, long a4, long a5,
             long a6);

// Process: the execution fails and the calling OS thread ends (the process goes on)
[[noreturn]] void abort(ManagedThread &self);
[[noreturn]] void exit(ManagedThread &self, const char *function, int status);
[[noreturn]] void assert_fail(ManagedThread &self, const char *assertion, const char *file,
                              unsigned line, const char *function);

} // namespace managed
} // namespace interlace::rt::detail
