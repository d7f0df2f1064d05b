#include "real.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

static_assert(std::is_same_v<pthread_t, interlace::rt::real::ThreadHandle>,
              "real.hpp's opaque pthread_t must match the platform's");

namespace interlace::rt::real {
namespace {

// Resolved lazily and without a guard variable: libstdc++'s static-init guard may itself
// take locks we interpose, and interposed functions can be called before our constructors.
void *resolve(std::atomic<void *> &slot, const char *name) {
  void *fn = slot.load(std::memory_order_acquire);
  if (fn == nullptr) {
    fn = dlsym(RTLD_NEXT, name);
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

#undef INTERLACE_REAL
// NOLINTEND(bugprone-macro-parentheses)

void pthread_exit(void *retval) {
  static std::atomic<void *> slot{nullptr};
  reinterpret_cast<void (*)(void *)>(resolve(slot, "pthread_exit"))(retval);
  __builtin_unreachable();
}

} // namespace interlace::rt::real
