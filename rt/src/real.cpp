#include "real.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

static_assert(std::is_same_v<pthread_t, interlace::rt::real::ThreadHandle>,
              "real.hpp's opaque pthread_t must match the platform's");
static_assert(std::is_same_v<clockid_t, int>, "real.hpp's opaque clockid_t must match");

namespace interlace::rt::real {
namespace {

// Resolved lazily and without a guard variable: libstdc++'s static-init guard may itself
// take locks we interpose, and interposed functions can be called before our constructors.
// `version` picks one of several versions of a symbol (null: the default one).
void *resolve(std::atomic<void *> &slot, const char *name, const char *version = nullptr) {
  void *fn = slot.load(std::memory_order_acquire);
  if (fn == nullptr) {
    fn = version != nullptr ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
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
#include "intercepted.def"
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION
// NOLINTEND(bugprone-macro-parentheses)

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
