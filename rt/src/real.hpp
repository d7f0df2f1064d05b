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

// The table's functions (intercepted.def)
#define INTERLACE_FUNCTION(family, ret, name, params, args) ret name params;
#define INTERLACE_FUNCTION_VERSIONED(family, ret, name, version, params, args) ret name params;
#include "intercepted.def"
#undef INTERLACE_FUNCTION_VERSIONED
#undef INTERLACE_FUNCTION

// Threads
[[noreturn]] void pthread_exit(void *retval);

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
