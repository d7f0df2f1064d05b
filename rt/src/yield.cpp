// The yield points the pass inserts. Outside a managed thread each costs one thread-local
// load and a branch; inside, it announces the access and lets the scheduler decide.
#include "execution.hpp"
#include "interlace/abi.h"
#include "interlace/annotations.h"

namespace {

using interlace::rt::Event;
using interlace::rt::EventKind;
using interlace::rt::detail::current_thread;

inline void yield(EventKind kind, const void *addr, std::uint64_t size,
                  const interlace_site *site) {
  interlace::rt::detail::ManagedThread *self = current_thread();
  if (self == nullptr || self->in_runtime) [[likely]] {
    return;
  }
  if (site != nullptr && (site->flags & INTERLACE_SITE_LIBRARY_CODE) != 0 &&
      !self->execution->library_code_steps()) {
    return;
  }
  const interlace_site *call = site != nullptr && (site->flags & INTERLACE_SITE_SYSTEM_HEADER) != 0
                                   ? __interlace_call_site
                                   : nullptr;
  self->execution->step(*self, Event{kind, static_cast<std::uint32_t>(size), addr, site, call});
}

// A driver's own code in a managed thread: hidden, the thread has no yield points and its
// intercepted calls are the real ones, as inside the runtime. Returns the previous state (-1
// outside a managed thread) for interlace_hide_end.
int set_hidden(bool hidden) {
  interlace::rt::detail::ManagedThread *self = current_thread();
  if (self == nullptr) {
    return -1;
  }
  const int previous = self->in_runtime ? 1 : 0;
  self->in_runtime = hidden;
  self->hidden = hidden;
  return previous;
}

} // namespace

extern "C" {

// initial-exec: instrumented code sets it with one %fs-relative store.
__attribute__((tls_model("initial-exec"))) __thread const interlace_site *__interlace_call_site =
    nullptr;

// Set by Execution::run_thread; initial-exec as __interlace_call_site.
__attribute__((tls_model("initial-exec"))) __thread unsigned char __interlace_library_steps = 0;

void __interlace_read(const void *addr, uint64_t size, const interlace_site *site) {
  yield(EventKind::Read, addr, size, site);
}

void __interlace_write(const void *addr, uint64_t size, const interlace_site *site) {
  yield(EventKind::Write, addr, size, site);
}

void __interlace_rmw(const void *addr, uint64_t size, const interlace_site *site) {
  yield(EventKind::Rmw, addr, size, site);
}

void __interlace_fence(const interlace_site *site) { yield(EventKind::Fence, nullptr, 0, site); }

void __interlace_marker(const char *name, const interlace_site *site) {
  yield(EventKind::Marker, name, 0, site);
}

// Event::size 1 tells a co_await from a real suspension (interlace_switch_point), so that a
// driver may switch at real suspensions only.
void __interlace_await(const interlace_site *site) { yield(EventKind::Switch, nullptr, 1, site); }

void interlace_switch_point(const interlace_site *site) {
  yield(EventKind::Switch, nullptr, 0, site);
}

int interlace_hide_begin(void) { return set_hidden(true); }

int interlace_unhide_begin(void) { return set_hidden(false); }

void interlace_hide_end(int previous) {
  interlace::rt::detail::ManagedThread *self = current_thread();
  if (self != nullptr && previous >= 0) {
    self->in_runtime = previous != 0;
    self->hidden = previous != 0;
  }
}

void interlace_assume(int condition) {
  interlace::rt::detail::ManagedThread *self = current_thread();
  if (condition != 0 || self == nullptr || self->in_runtime) {
    return;
  }
  self->execution->discard(*self);
}

} // extern "C"
