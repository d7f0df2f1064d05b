// Events: what a managed thread announces at a yield point, and what the trace records
// once the scheduler lets that announced step execute.
#pragma once

#include <cstdint>
#include <cstring>

#include "interlace/abi.h"

namespace interlace::rt {

enum class EventKind : std::uint8_t {
  Start,  // a thread's first step: from its creation to its first yield point
  Read,   // an instrumented load
  Write,  // an instrumented store
  Rmw,    // atomicrmw / cmpxchg
  Fence,  // an atomic fence
  Spawn,  // pthread_create (and std::thread)
  Join,   // pthread_join
  Detach, // pthread_detach
  Lock,   // a mutex acquisition attempt
  Unlock, // a mutex release
  Finish, // the thread's body returned (announced by finished threads; never executed)
  // Kinds added with the blocking primitives and markers; new kinds go at the end.
  ReadLock, // a rwlock read acquisition attempt
  Wait,     // a condvar, semaphore, barrier or futex wait
  Notify,   // a condvar signal or broadcast, sem_post, a futex wake
  Once,     // pthread_once (std::call_once)
  Sleep,    // sleep, nanosleep, sched_yield: a yield point and nothing else
  Marker,   // a trace marker; Event::addr is then the marker's name (a C string)
  Switch,   // a switch point of cooperative code: an async task back at its event loop (size
            // 0), or a coroutine at a co_await (size 1)
};

// Human-readable name of a kind, e.g. "read".
const char *to_string(EventKind kind);

// True for the kinds that touch user memory (read, write, rmw).
constexpr bool is_memory_access(EventKind kind) {
  return kind == EventKind::Read || kind == EventKind::Write || kind == EventKind::Rmw;
}

// True for the kinds that act on a synchronisation object (a mutex, rwlock, condvar,
// semaphore, barrier, once flag or futex word) named by Event::addr.
constexpr bool is_synchronisation(EventKind kind) {
  return kind == EventKind::Lock || kind == EventKind::Unlock || kind == EventKind::ReadLock ||
         kind == EventKind::Wait || kind == EventKind::Notify || kind == EventKind::Once;
}

// True for the kinds that modify the location they name.
constexpr bool is_write(EventKind kind) {
  return kind == EventKind::Write || kind == EventKind::Rmw;
}

// An announced step: a thread is parked before it, waiting for the scheduler. A finished
// thread's announced event is Finish.
struct Event {
  EventKind kind = EventKind::Start;
  // The access's size in bytes; for a futex Wait, the word's; for a Lock or ReadLock, 1 when
  // it is a try (it fails instead of blocking), else 0.
  std::uint32_t size = 0;
  const void *addr = nullptr;
  const interlace_site *site = nullptr; // null for steps with no source location
  // For an access in library code (a site in a system header: the body of a TBB or Abseil
  // template, std::atomic's): the user's call that led there, so that reports can say which of
  // the user's lines did it. Null otherwise, or when the library was entered from uninstrumented
  // code.
  const interlace_site *call = nullptr;
};

// Cooperative code (async tasks). A co_await's switch point is not where the co_await starts
// but where the awaiting coroutine goes on past it (a step of its own on another line), unless
// the task goes back to its loop first. What the co_await starts runs on: an Asio operation's
// initiation (on a single-threaded io_context no other handler runs before a suspending
// co_await has started its operation, and a switch inside Asio's code would let another task
// into its half-updated state), or an awaited coroutine's body. So a co_await that suspends
// adds no switch point, and one that does not adds one after what it awaited.
//
// The co_await (its site) a task is at once it took `event`, given the one it was at before
// (`await`, null for none): null once the awaiting coroutine goes on, or at a switch point or a
// wait (the loop's).
inline const interlace_site *await_in_progress(const interlace_site *await, const Event &event) {
  if (event.kind == EventKind::Switch) {
    return event.size == 1 ? event.site : nullptr;
  }
  if (await == nullptr || event.kind == EventKind::Wait) {
    return nullptr;
  }
  const interlace_site *site = event.site;
  const auto same = [](const char *a, const char *b) {
    return a == b || (a != nullptr && b != nullptr && std::strcmp(a, b) == 0);
  };
  const bool goes_on = site != nullptr && site->line != await->line &&
                       same(site->function, await->function) && same(site->file, await->file);
  return goes_on ? nullptr : await;
}

// An executed step, as the trace records it.
struct StepRecord {
  int thread = 0;
  Event event;
};

} // namespace interlace::rt
