#include "real.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "futex.hpp"

static_assert(std::is_same_v<pthread_t, interlace::rt::real::ThreadHandle>,
              "real.hpp's opaque pthread_t must match the platform's");
static_assert(std::is_same_v<clockid_t, int>, "real.hpp's opaque clockid_t must match");

namespace interlace::rt::real {
namespace {

// Set while this thread is inside dlsym. dlsym allocates and frees (its error state), and an
// allocator may call back into us: ASan's reads the clock through clock_gettime, which is
// ours, which would call dlsym again, and a nested dlsym frees the outer one's error state
// twice. Functions called back during resolution must not resolve anything themselves.
thread_local __attribute__((tls_model("initial-exec"))) bool resolving = false;

// Resolved lazily and without a guard variable: libstdc++'s static-init guard may itself
// take locks we interpose, and interposed functions can be called before our constructors.
// `version` picks one of several versions of a symbol (null: the default one).
void *resolve(std::atomic<void *> &slot, const char *name, const char *version = nullptr) {
  void *fn = slot.load(std::memory_order_acquire);
  if (fn == nullptr) {
    resolving = true;
    fn = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
    resolving = false;
    if (fn == nullptr) {
      std::fprintf(stderr, "interlace: cannot find the real %s (dlsym: %s)\n", name, dlerror());
      std::abort();
    }
    slot.store(fn, std::memory_order_release);
  }
  return fn;
}

} // namespace

// `params` is a parenthesised parameter list and `args` an argument list, so they cannot be
// wrapped in further parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define INTERLACE_REAL(ret, name, params, args)                                                    \
  ret name params {                                                                                \
    static std::atomic<void *> slot{nullptr};                                                      \
    return reinterpret_cast<ret(*) params>(resolve(slot, #name)) args;                             \
  }
// For symbols libc exports in several versions, of which dlsym would pick the wrong one.
#define INTERLACE_REAL_VERSIONED(ret, name, version, params, args)                                 \
  ret name params {                                                                                \
    static std::atomic<void *> slot{nullptr};                                                      \
    return reinterpret_cast<ret(*) params>(resolve(slot, #name, version)) args;                    \
  }

INTERLACE_REAL(int, pthread_create,
               (ThreadHandle * thread, const void *attr, StartRoutine start, void *arg),
               (thread, attr, start, arg))
INTERLACE_REAL(int, pthread_join, (ThreadHandle thread, void **retval), (thread, retval))
INTERLACE_REAL(int, pthread_detach, (ThreadHandle thread), (thread))

INTERLACE_REAL(int, pthread_mutex_lock, (void *mutex), (mutex))
INTERLACE_REAL(int, pthread_mutex_trylock, (void *mutex), (mutex))
INTERLACE_REAL(int, pthread_mutex_timedlock, (void *mutex, const struct timespec *abstime),
               (mutex, abstime))
INTERLACE_REAL(int, pthread_mutex_clocklock,
               (void *mutex, int clock, const struct timespec *abstime), (mutex, clock, abstime))
INTERLACE_REAL(int, pthread_mutex_unlock, (void *mutex), (mutex))

INTERLACE_REAL_VERSIONED(int, pthread_cond_wait, "GLIBC_2.3.2", (void *cond, void *mutex),
                         (cond, mutex))
INTERLACE_REAL_VERSIONED(int, pthread_cond_timedwait, "GLIBC_2.3.2",
                         (void *cond, void *mutex, const struct timespec *abstime),
                         (cond, mutex, abstime))
INTERLACE_REAL(int, pthread_cond_clockwait,
               (void *cond, void *mutex, int clock, const struct timespec *abstime),
               (cond, mutex, clock, abstime))
INTERLACE_REAL_VERSIONED(int, pthread_cond_signal, "GLIBC_2.3.2", (void *cond), (cond))
INTERLACE_REAL_VERSIONED(int, pthread_cond_broadcast, "GLIBC_2.3.2", (void *cond), (cond))

INTERLACE_REAL(int, pthread_rwlock_rdlock, (void *rwlock), (rwlock))
INTERLACE_REAL(int, pthread_rwlock_tryrdlock, (void *rwlock), (rwlock))
INTERLACE_REAL(int, pthread_rwlock_timedrdlock, (void *rwlock, const struct timespec *abstime),
               (rwlock, abstime))
INTERLACE_REAL(int, pthread_rwlock_clockrdlock,
               (void *rwlock, int clock, const struct timespec *abstime), (rwlock, clock, abstime))
INTERLACE_REAL(int, pthread_rwlock_wrlock, (void *rwlock), (rwlock))
INTERLACE_REAL(int, pthread_rwlock_trywrlock, (void *rwlock), (rwlock))
INTERLACE_REAL(int, pthread_rwlock_timedwrlock, (void *rwlock, const struct timespec *abstime),
               (rwlock, abstime))
INTERLACE_REAL(int, pthread_rwlock_clockwrlock,
               (void *rwlock, int clock, const struct timespec *abstime), (rwlock, clock, abstime))
INTERLACE_REAL(int, pthread_rwlock_unlock, (void *rwlock), (rwlock))

INTERLACE_REAL(int, sem_wait, (void *sem), (sem))
INTERLACE_REAL(int, sem_trywait, (void *sem), (sem))
INTERLACE_REAL(int, sem_timedwait, (void *sem, const struct timespec *abstime), (sem, abstime))
INTERLACE_REAL(int, sem_clockwait, (void *sem, int clock, const struct timespec *abstime),
               (sem, clock, abstime))
INTERLACE_REAL(int, sem_post, (void *sem), (sem))

INTERLACE_REAL(int, pthread_spin_lock, (void *lock), (lock))
INTERLACE_REAL(int, pthread_spin_trylock, (void *lock), (lock))
INTERLACE_REAL(int, pthread_spin_unlock, (void *lock), (lock))
INTERLACE_REAL(int, pthread_barrier_wait, (void *barrier), (barrier))
INTERLACE_REAL(int, pthread_once, (void *control, OnceRoutine init), (control, init))

INTERLACE_REAL(unsigned, sleep, (unsigned seconds), (seconds))
INTERLACE_REAL(int, usleep, (unsigned useconds), (useconds))
INTERLACE_REAL(int, nanosleep, (const struct timespec *request, struct timespec *remaining),
               (request, remaining))
INTERLACE_REAL(int, clock_nanosleep,
               (int clock, int flags, const struct timespec *request, struct timespec *remaining),
               (clock, flags, request, remaining))
INTERLACE_REAL(int, sched_yield, (), ())

#undef INTERLACE_REAL_VERSIONED
#undef INTERLACE_REAL
// NOLINTEND(bugprone-macro-parentheses)

int clock_gettime(int clock, struct timespec *time) {
  static std::atomic<void *> slot{nullptr};
  void *fn = slot.load(std::memory_order_acquire);
  if (fn == nullptr && resolving) {
    // Called back from inside dlsym (see `resolving`): ask the kernel, without the vDSO.
    const long rc =
        detail::raw_syscall4(SYS_clock_gettime, clock, reinterpret_cast<long>(time), 0, 0);
    if (rc < 0) {
      errno = static_cast<int>(-rc);
      return -1;
    }
    return 0;
  }
  return reinterpret_cast<int (*)(int, struct timespec *)>(
      fn != nullptr ? fn : resolve(slot, "clock_gettime"))(clock, time);
}

long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
  static std::atomic<void *> slot{nullptr};
  return reinterpret_cast<long (*)(long, ...)>(resolve(slot, "syscall"))(number, a1, a2, a3, a4, a5,
                                                                         a6);
}

void pthread_exit(void *retval) {
  static std::atomic<void *> slot{nullptr};
  reinterpret_cast<void (*)(void *)>(resolve(slot, "pthread_exit"))(retval);
  __builtin_unreachable();
}

void abort() {
  static std::atomic<void *> slot{nullptr};
  reinterpret_cast<void (*)()>(resolve(slot, "abort"))();
  __builtin_unreachable();
}

void assert_fail(const char *assertion, const char *file, unsigned line, const char *function) {
  static std::atomic<void *> slot{nullptr};
  reinterpret_cast<void (*)(const char *, const char *, unsigned, const char *)>(
      resolve(slot, "__assert_fail"))(assertion, file, line, function);
  __builtin_unreachable();
}

} // namespace interlace::rt::real
