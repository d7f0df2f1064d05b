// Raw futex calls. The runtime issues its own futex system calls directly rather than through
// libc's syscall(), because the runtime itself interposes syscall() to catch C++20 waits.
#pragma once

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>

// AddressSanitizer's, when the program carries it: unpoisons the calling thread's stack.
extern "C" void __asan_handle_no_return() __attribute__((weak)); // NOLINT

namespace interlace::rt::detail {

inline long raw_syscall4(long nr, long a1, long a2, long a3, long a4) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = a4;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a1;
  register long x1 __asm__("x1") = a2;
  register long x2 __asm__("x2") = a3;
  register long x3 __asm__("x3") = a4;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#else
#error "interlace: raw system calls are implemented for x86-64 and AArch64 only"
#endif
}

// Sleeps while *word == expected, or until the relative timeout passes (null: no timeout).
// Returns 0 or a negative errno (-EAGAIN, -EINTR, -ETIMEDOUT).
inline long futex_wait(std::atomic<std::uint32_t> *word, std::uint32_t expected,
                       const struct timespec *timeout = nullptr) {
  return raw_syscall4(SYS_futex, reinterpret_cast<long>(word), FUTEX_WAIT_PRIVATE,
                      static_cast<long>(expected), reinterpret_cast<long>(timeout));
}

inline void futex_wake(std::atomic<std::uint32_t> *word, int count) {
  raw_syscall4(SYS_futex, reinterpret_cast<long>(word), FUTEX_WAKE_PRIVATE, count, 0);
}

// Ends the calling OS thread without unwinding or running any exit handler. The kernel
// still clears the thread id, so pthread_join on the thread returns.
[[noreturn]] inline void raw_exit_thread() {
  if (&__asan_handle_no_return != nullptr) {
    // The frames left behind keep their ASan redzones poisoned, and glibc gives this stack to
    // a later thread (a pooled worker ASan does not know, which would trip over them).
    __asan_handle_no_return();
  }
  // glibc hands this thread's descriptor to a later thread without clearing its
  // thread-specific data (the normal exit path does that, running the key destructors): a
  // library that keeps per-thread state under a pthread key (TBB's thread data) would take the
  // later thread for this one. Its values are dropped (leaked), not destroyed: the thread's
  // state is the abandoned execution's.
  for (pthread_key_t key = 0; key < PTHREAD_KEYS_MAX; ++key) {
    if (pthread_getspecific(key) != nullptr) {
      pthread_setspecific(key, nullptr);
    }
  }
  for (;;) {
    raw_syscall4(SYS_exit, 0, 0, 0, 0);
  }
}

inline int raw_gettid() { return static_cast<int>(raw_syscall4(SYS_gettid, 0, 0, 0, 0)); }

} // namespace interlace::rt::detail
