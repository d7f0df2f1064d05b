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
#include <cstdint>

#include "primitives.hpp"

using interlace::rt::detail::clock_reader;
using interlace::rt::detail::hidden_self;
using interlace::rt::detail::managed_self;
using interlace::rt::detail::ManagedThread;
namespace managed = interlace::rt::detail::managed;
namespace real = interlace::rt::real;

using interlace::rt::real::OnceRoutine;
using interlace::rt::real::StartRoutine;
using interlace::rt::real::ThreadHandle;

// The table's functions (intercepted.def).
// NOLINTBEGIN(bugprone-macro-parentheses)
#define INTERLACE_FUNCTION(family, ret, name, params, args)                                        \
  extern "C" ret name params {                                                                     \
    if (ManagedThread *self = managed_self()) {                                                    \
      return managed::name(*self INTERLACE_AFTER_SELF args);                                       \
    }                                                                                              \
    return real::name args;                                                                        \
  }
#define INTERLACE_FUNCTION_VERSIONED(family, ret, name, version, params, args)                     \
  INTERLACE_FUNCTION(family, ret, name, params, args)
// clock_gettime: a driver's hidden stretch reads the execution's clock too (Asio's timers,
// interlace/asio.hpp), or it would see deadlines pass that the execution has not reached.
#define INTERLACE_FUNCTION_OWN_REAL(family, ret, name, params, args)                               \
  extern "C" ret name params {                                                                     \
    if (ManagedThread *self = clock_reader()) {                                                    \
      return managed::name(*self INTERLACE_AFTER_SELF args);                                       \
    }                                                                                              \
    return real::name args;                                                                        \
  }
// A mutex in a driver's hidden stretch (Asio's io_context, interlace/asio.hpp): the real lock,
// unless a parked managed thread holds it (primitives.cpp).
#define INTERLACE_FUNCTION_SEEN_HIDDEN(family, ret, name, params, args)                            \
  extern "C" ret name params {                                                                     \
    if (ManagedThread *self = managed_self()) {                                                    \
      return managed::name(*self INTERLACE_AFTER_SELF args);                                       \
    }                                                                                              \
    if (ManagedThread *self = hidden_self()) {                                                     \
      return managed::hidden_##name(*self INTERLACE_AFTER_SELF args);                              \
    }                                                                                              \
    return real::name args;                                                                        \
  }
#include "intercepted.def"
#undef INTERLACE_FUNCTION_SEEN_HIDDEN
#undef INTERLACE_FUNCTION_OWN_REAL
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION
// NOLINTEND(bugprone-macro-parentheses)

// --- threads -------------------------------------------------------------------------------
extern "C" [[noreturn]] void pthread_exit(void *retval) {
  if (ManagedThread *self = managed_self()) {
    managed::pthread_exit(*self, retval);
  }
  real::pthread_exit(retval);
}

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

// interlace/annotations.h: an async task's idle event loop.
extern "C" void interlace_task_wait(std::uint32_t *word, std::uint32_t seen) {
  if (ManagedThread *self = managed_self()) {
    managed::task_wait(*self, word, seen);
    return;
  }
  // NOLINTNEXTLINE(performance-no-int-to-ptr): syscall() passes pointers as longs
  real::syscall(SYS_futex, reinterpret_cast<long>(word), FUTEX_WAIT_PRIVATE, seen, 0, 0, 0);
}

// --- process -------------------------------------------------------------------------------
extern "C" [[noreturn]] void abort() {
  if (ManagedThread *self = managed_self()) {
    managed::abort(*self);
  }
  real::abort();
}

// exit(), _exit(), _Exit() and quick_exit() from a managed thread fail its execution and end
// that thread only; elsewhere (and in a process forked from a managed thread) they end the
// process as usual.
#define INTERLACE_INTERCEPT_EXIT(name)                                                             \
  extern "C" [[noreturn]] void name(int status) {                                                  \
    if (ManagedThread *self = managed_self()) {                                                    \
      managed::exit(*self, #name, status);                                                         \
    }                                                                                              \
    real::name(status);                                                                            \
  }
INTERLACE_INTERCEPT_EXIT(exit)
INTERLACE_INTERCEPT_EXIT(_exit)
INTERLACE_INTERCEPT_EXIT(_Exit)
INTERLACE_INTERCEPT_EXIT(quick_exit)
#undef INTERLACE_INTERCEPT_EXIT

extern "C" [[noreturn]] void __assert_fail(const char *assertion, const char *file, unsigned line,
                                           const char *function) {
  if (ManagedThread *self = managed_self()) {
    managed::assert_fail(*self, assertion, file, line, function);
  }
  real::assert_fail(assertion, file, line, function);
}
