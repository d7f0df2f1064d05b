// The real libc functions behind the ones the runtime interposes, found with
// dlsym(RTLD_NEXT) (dlvsym where libc keeps several versions of a symbol). Runtime code that
// needs a primitive for itself calls these, never the plain names, which resolve to our own
// interceptors.
//
// Signatures are opaque (void * for pthread objects, unsigned long for pthread_t) so that
// interceptors.cpp can use them without including <pthread.h>, whose C++ declarations are
// noexcept and would forbid unwinding a torn-down thread out of an interceptor.
#pragma once

struct timespec;

namespace interlace::rt::real {

using ThreadHandle = unsigned long; // pthread_t on Linux
using StartRoutine = void *(*)(void *);
using OnceRoutine = void (*)();

// Threads
int pthread_create(ThreadHandle *thread, const void *attr, StartRoutine start, void *arg);
int pthread_join(ThreadHandle thread, void **retval);
int pthread_detach(ThreadHandle thread);
[[noreturn]] void pthread_exit(void *retval);

// Mutexes
int pthread_mutex_lock(void *mutex);
int pthread_mutex_trylock(void *mutex);
int pthread_mutex_timedlock(void *mutex, const struct timespec *abstime);
int pthread_mutex_clocklock(void *mutex, int clock, const struct timespec *abstime);
int pthread_mutex_unlock(void *mutex);

// Condition variables (the GLIBC_2.3.2 ABI, not the 2.2.5 one plain dlsym finds)
int pthread_cond_wait(void *cond, void *mutex);
int pthread_cond_timedwait(void *cond, void *mutex, const struct timespec *abstime);
int pthread_cond_clockwait(void *cond, void *mutex, int clock, const struct timespec *abstime);
int pthread_cond_signal(void *cond);
int pthread_cond_broadcast(void *cond);

// Read-write locks
int pthread_rwlock_rdlock(void *rwlock);
int pthread_rwlock_tryrdlock(void *rwlock);
int pthread_rwlock_timedrdlock(void *rwlock, const struct timespec *abstime);
int pthread_rwlock_clockrdlock(void *rwlock, int clock, const struct timespec *abstime);
int pthread_rwlock_wrlock(void *rwlock);
int pthread_rwlock_trywrlock(void *rwlock);
int pthread_rwlock_timedwrlock(void *rwlock, const struct timespec *abstime);
int pthread_rwlock_clockwrlock(void *rwlock, int clock, const struct timespec *abstime);
int pthread_rwlock_unlock(void *rwlock);

// Semaphores
int sem_wait(void *sem);
int sem_trywait(void *sem);
int sem_timedwait(void *sem, const struct timespec *abstime);
int sem_clockwait(void *sem, int clock, const struct timespec *abstime);
int sem_post(void *sem);

// Spinlocks, barriers, once
int pthread_spin_lock(void *lock);
int pthread_spin_trylock(void *lock);
int pthread_spin_unlock(void *lock);
int pthread_barrier_wait(void *barrier);
int pthread_once(void *control, OnceRoutine init);

// Sleeping and time
unsigned sleep(unsigned seconds);
int usleep(unsigned useconds);
int nanosleep(const struct timespec *request, struct timespec *remaining);
int clock_nanosleep(int clock, int flags, const struct timespec *request,
                    struct timespec *remaining);
int sched_yield();
int clock_gettime(int clock, struct timespec *time);

// Futex (and every other system call made through syscall())
long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

// Process
[[noreturn]] void abort();
[[noreturn]] void exit(int status);
[[noreturn]] void _exit(int status); // NOLINT(bugprone-reserved-identifier): libc's name
[[noreturn]] void _Exit(int status); // NOLINT(bugprone-reserved-identifier): libc's name
[[noreturn]] void quick_exit(int status);
[[noreturn]] void assert_fail(const char *assertion, const char *file, unsigned line,
                              const char *function);

} // namespace interlace::rt::real
