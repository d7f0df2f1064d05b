// Sanitizers the runtime cannot work under. AddressSanitizer and UndefinedBehaviorSanitizer
// work (docs/configuration.md, "Sanitizers"); ThreadSanitizer does not, and a test built
// with it stops at start-up with the reason rather than crashing in a pooled worker.
#include "sanitizers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

// Defined by each sanitizer's runtime, which exports them from the program (or from its
// shared runtime); null otherwise.
// NOLINTBEGIN(bugprone-reserved-identifier)
extern "C" void __tsan_init() __attribute__((weak));
extern "C" void __asan_init() __attribute__((weak));
extern "C" void __lsan_init() __attribute__((weak));
extern "C" void __hwasan_init() __attribute__((weak));
extern "C" void __msan_init() __attribute__((weak));
// NOLINTEND(bugprone-reserved-identifier)

namespace interlace::rt::detail {

bool sanitizer_wraps_thread_starts() noexcept {
  return &__asan_init != nullptr || &__lsan_init != nullptr || &__hwasan_init != nullptr ||
         &__msan_init != nullptr;
}

} // namespace interlace::rt::detail

namespace {

__attribute__((constructor)) void refuse_thread_sanitizer() {
  if (&__tsan_init == nullptr) {
    return;
  }
  std::fputs("interlace: cannot run under ThreadSanitizer: TSan's pthread_create interposes before "
             "interlace's and waits for each new thread to start, while interlace starts a thread "
             "only when the schedule reaches it; and TSan cannot see interlace's pooled worker "
             "threads nor the hand-offs between them. Build the test without -fsanitize=thread "
             "(AddressSanitizer and UndefinedBehaviorSanitizer work; see docs/configuration.md, "
             "\"Sanitizers\").\n",
             stderr);
  _exit(EXIT_FAILURE); // no exit handlers: they would run under TSan's half-working runtime
}

} // namespace
