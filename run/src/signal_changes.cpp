#include "signal_changes.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

// A sanitizer's runtime, linked into the program, defines these, and its sigaction and signal
// as weak aliases of them, which the definitions below replace: calls go on to them then, as
// they would have without this file, and to the C library's otherwise.
extern "C" int __interceptor_sigaction(int, const struct sigaction *, struct sigaction *)
    __attribute__((weak));
extern "C" sighandler_t __interceptor_signal(int, sighandler_t) __attribute__((weak));

namespace interlace::run {
namespace {

using SigactionFunction = int (*)(int, const struct sigaction *, struct sigaction *);
using SignalFunction = sighandler_t (*)(int, sighandler_t);

std::atomic<std::uint64_t> g_changes{0};

void mark(int signal) {
  if (signal > 0 && signal <= 64) {
    g_changes.fetch_or(std::uint64_t{1} << (signal - 1), std::memory_order_relaxed);
  }
}

template <class Function> Function next_definition(const char *name) {
  auto *function = reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
  if (function == nullptr) {
    std::fprintf(stderr, "interlace: cannot find the C library's %s: %s\n", name, dlerror());
    std::_Exit(2);
  }
  return function;
}

} // namespace

std::uint64_t signal_changes() { return g_changes.load(std::memory_order_relaxed); }
void clear_signal_changes() { g_changes.store(0, std::memory_order_relaxed); }

int real_sigaction(int signal, const struct sigaction *action, struct sigaction *previous) {
  static const auto real = __interceptor_sigaction != nullptr
                               ? &__interceptor_sigaction
                               : next_definition<SigactionFunction>("sigaction");
  return real(signal, action, previous);
}

} // namespace interlace::run

extern "C" __attribute__((visibility("default"))) int
sigaction(int signal, const struct sigaction *action, struct sigaction *previous) {
  if (action != nullptr) {
    interlace::run::mark(signal);
  }
  return interlace::run::real_sigaction(signal, action, previous);
}

extern "C" __attribute__((visibility("default"))) sighandler_t signal(int signal,
                                                                      sighandler_t handler) {
  static const auto real =
      __interceptor_signal != nullptr
          ? &__interceptor_signal
          : interlace::run::next_definition<interlace::run::SignalFunction>("signal");
  interlace::run::mark(signal);
  return real(signal, handler);
}
