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
#define INTERLACE_FUNCTION(family, ret, name, params, args)                                        \
  ret name params {                                                                                \
    static std::atomic<void *> slot{nullptr};                                                      \
    return reinterpret_cast<ret(*) params>(resolve(slot, #name)) args;                             \
  }
#define INTERLACE_FUNCTION_VERSIONED(family, ret, name, version, params, args)                     \
  ret name params {                                                                                \
    static std::atomic<void *> slot{nullptr};                                                      \
    return reinterpret_cast<ret(*) params>(resolve(slot, #name, version)) args;                    \
  }
// clock_gettime's lookup is hand-written below.
#define INTERLACE_FUNCTION_OWN_REAL(family, ret, name, params, args)
#include "intercepted.def"
#undef INTERLACE_FUNCTION_OWN_REAL
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION
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

// NOLINTBEGIN(bugprone-macro-parentheses)
#define INTERLACE_REAL_EXIT(name)                                                                  \
  void name(int status) {                                                                          \
    static std::atomic<void *> slot{nullptr};                                                      \
    reinterpret_cast<void (*)(int)>(resolve(slot, #name))(status);                                 \
    __builtin_unreachable();                                                                       \
  }
INTERLACE_REAL_EXIT(exit)
INTERLACE_REAL_EXIT(_exit)
INTERLACE_REAL_EXIT(_Exit)
INTERLACE_REAL_EXIT(quick_exit)
#undef INTERLACE_REAL_EXIT
// NOLINTEND(bugprone-macro-parentheses)

void assert_fail(const char *assertion, const char *file, unsigned line, const char *function) {
  static std::atomic<void *> slot{nullptr};
  reinterpret_cast<void (*)(const char *, const char *, unsigned, const char *)>(
      resolve(slot, "__assert_fail"))(assertion, file, line, function);
  __builtin_unreachable();
}

} // namespace interlace::rt::real
