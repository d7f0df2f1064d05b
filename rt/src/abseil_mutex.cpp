// Abseil's absl::Mutex, interposed. Its lock and unlock run inside the prebuilt
// libabsl_synchronization.so, which has no yield points, and its uncontended path makes no
// system call: without this file two critical sections in a row are one step, and a thread
// blocked on a held Mutex waits on a futex word of Abseil's per-thread semaphore, which a
// deadlock report cannot name. Here, in a managed thread, Mutex::Lock is a yield point and a
// cooperative wait on the Mutex itself, as pthread_mutex_lock is (primitives.cpp): the real
// TryLock takes it, the LockTable knows who holds it and where it was taken, and a teardown
// unwinds a waiter out of this function, never out of Abseil's code.
//
// The symbols carry Abseil's inline namespace, which differs by release and distribution
// (Debian 12: `debian3`; upstream LTS releases: `lts_YYYYMMDD`), so each known one is defined
// here (kNamespaces). The runtime must come before libabsl_synchronization in the program's
// link order for these definitions to win; warn_if_abseil_not_interposed says so otherwise.
//
// Not interposed (Abseil blocks on its futex words there, which interlace schedules, but
// reports name the word, not the Mutex): LockWhen, Await, the timed waits, CondVar's timed
// waits.
#include <dlfcn.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "abseil_mutex.hpp"
#include "primitive_support.hpp"
#include "primitives.hpp"

namespace interlace::rt::detail {
namespace {

using MutexFn = void (*)(void *);
using TryFn = bool (*)(void *);
using WaitFn = void (*)(void *, void *);

// The real function, found lazily (the interposers may run before any constructor).
template <class Fn> Fn real_abseil(std::atomic<void *> &slot, const char *name) {
  void *fn = slot.load(std::memory_order_acquire);
  if (fn == nullptr) {
    fn = dlsym(RTLD_NEXT, name);
    if (fn == nullptr) {
      std::fprintf(stderr, "interlace: cannot find Abseil's %s (dlsym: %s)\n", name, dlerror());
      std::abort();
    }
    slot.store(fn, std::memory_order_release);
  }
  return reinterpret_cast<Fn>(fn); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

// What a managed Lock, ReaderLock and their unlocks do.
void acquire(ManagedThread &self, void *mutex, bool write, TryFn try_lock) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, managed::sync_event(write ? EventKind::Lock : EventKind::ReadLock, mutex));
  while (!try_lock(mutex)) {
    execution.block(self, WaitTarget{write ? WaitKind::Mutex : WaitKind::ReadLock, mutex});
  }
  execution.locks().note_acquired(mutex, LockTable::Type::Abseil, self,
                                  write ? LockTable::Hold::Exclusive : LockTable::Hold::Read);
}

bool try_acquire(ManagedThread &self, void *mutex, bool write, TryFn try_lock) {
  RuntimeSection section(self);
  Execution &execution = *self.execution;
  execution.step(self, managed::sync_event(write ? EventKind::Lock : EventKind::ReadLock, mutex));
  if (!try_lock(mutex)) {
    return false;
  }
  execution.locks().note_acquired(mutex, LockTable::Type::Abseil, self,
                                  write ? LockTable::Hold::Exclusive : LockTable::Hold::Read);
  return true;
}

void release(ManagedThread &self, void *mutex, MutexFn unlock) {
  Execution &execution = *self.execution;
  {
    const RuntimeSection section(self);
    // Unlocking must happen even when the execution ends here: destructors rely on it.
    managed::step_through_teardown(self, managed::sync_event(EventKind::Unlock, mutex));
    if (!execution.locks().note_released(mutex, self) && self.unwinding) {
      return; // not ours: a thread being unwound must not release another's hold
    }
  }
  // Outside the runtime section: the real Unlock wakes a CondVar waiter that Abseil queued on
  // the Mutex with a futex wake, which must reach the runtime's futex model.
  unlock(mutex);
  const RuntimeSection section(self);
  execution.wake_all(WaitKind::Mutex, mutex);
  execution.wake_all(WaitKind::ReadLock, mutex);
}

// CondVar::Wait releases the Mutex inside Abseil and takes it back before it returns; the
// waiters this runtime keeps for the Mutex must hear of the release.
void condvar_wait(ManagedThread &self, void *condvar, void *mutex, WaitFn wait) {
  {
    RuntimeSection section(self);
    Execution &execution = *self.execution;
    execution.step(self, managed::sync_event(EventKind::Wait, condvar));
    execution.locks().note_released(mutex, self);
    execution.wake_all(WaitKind::Mutex, mutex);
    execution.wake_all(WaitKind::ReadLock, mutex);
  }
  wait(condvar, mutex);
  const RuntimeSection section(self);
  self.execution->locks().note_acquired(mutex, LockTable::Type::Abseil, self);
}

} // namespace
} // namespace interlace::rt::detail

using interlace::rt::detail::managed_self;
using interlace::rt::detail::ManagedThread;

// One set of interposers per inline namespace: `ns` as it is mangled (its length, then the
// name; empty for an Abseil built without an inline namespace).
// NOLINTBEGIN(bugprone-macro-parentheses,cppcoreguidelines-macro-usage)
#define INTERLACE_ABSEIL_SYMBOL(ns, member) "_ZN4absl" ns "5Mutex" #member "Ev"
#define INTERLACE_ABSEIL_LOCK(id, ns, member, write, try_member)                                   \
  extern "C" void interlace_absl_##id##_##member(void *mutex) __asm__(                             \
      INTERLACE_ABSEIL_SYMBOL(ns, member));                                                        \
  extern "C" void interlace_absl_##id##_##member(void *mutex) {                                    \
    static std::atomic<void *> real_try{nullptr};                                                  \
    const auto try_lock = interlace::rt::detail::real_abseil<interlace::rt::detail::TryFn>(        \
        real_try, INTERLACE_ABSEIL_SYMBOL(ns, try_member));                                        \
    if (ManagedThread *self = managed_self()) {                                                    \
      interlace::rt::detail::acquire(*self, mutex, write, try_lock);                               \
      return;                                                                                      \
    }                                                                                              \
    static std::atomic<void *> real{nullptr};                                                      \
    interlace::rt::detail::real_abseil<interlace::rt::detail::MutexFn>(                            \
        real, INTERLACE_ABSEIL_SYMBOL(ns, member))(mutex);                                         \
  }
#define INTERLACE_ABSEIL_TRYLOCK(id, ns, member, write)                                            \
  extern "C" bool interlace_absl_##id##_##member(void *mutex) __asm__(                             \
      INTERLACE_ABSEIL_SYMBOL(ns, member));                                                        \
  extern "C" bool interlace_absl_##id##_##member(void *mutex) {                                    \
    static std::atomic<void *> real{nullptr};                                                      \
    const auto try_lock = interlace::rt::detail::real_abseil<interlace::rt::detail::TryFn>(        \
        real, INTERLACE_ABSEIL_SYMBOL(ns, member));                                                \
    if (ManagedThread *self = managed_self()) {                                                    \
      return interlace::rt::detail::try_acquire(*self, mutex, write, try_lock);                    \
    }                                                                                              \
    return try_lock(mutex);                                                                        \
  }
#define INTERLACE_ABSEIL_UNLOCK(id, ns, member)                                                    \
  extern "C" void interlace_absl_##id##_##member(void *mutex) __asm__(                             \
      INTERLACE_ABSEIL_SYMBOL(ns, member));                                                        \
  extern "C" void interlace_absl_##id##_##member(void *mutex) {                                    \
    static std::atomic<void *> real{nullptr};                                                      \
    const auto unlock = interlace::rt::detail::real_abseil<interlace::rt::detail::MutexFn>(        \
        real, INTERLACE_ABSEIL_SYMBOL(ns, member));                                                \
    if (ManagedThread *self = managed_self()) {                                                    \
      interlace::rt::detail::release(*self, mutex, unlock);                                        \
      return;                                                                                      \
    }                                                                                              \
    unlock(mutex);                                                                                 \
  }
#define INTERLACE_ABSEIL_CONDVAR_WAIT(id, ns)                                                      \
  extern "C" void interlace_absl_##id##_wait(void *condvar, void *mutex) __asm__(                  \
      "_ZN4absl" ns "7CondVar4WaitEPNS0_5MutexE");                                                 \
  extern "C" void interlace_absl_##id##_wait(void *condvar, void *mutex) {                         \
    static std::atomic<void *> real{nullptr};                                                      \
    const auto wait = interlace::rt::detail::real_abseil<interlace::rt::detail::WaitFn>(           \
        real, "_ZN4absl" ns "7CondVar4WaitEPNS0_5MutexE");                                         \
    if (ManagedThread *self = managed_self()) {                                                    \
      interlace::rt::detail::condvar_wait(*self, condvar, mutex, wait);                            \
      return;                                                                                      \
    }                                                                                              \
    wait(condvar, mutex);                                                                          \
  }
#define INTERLACE_ABSEIL_NAMESPACE(id, ns)                                                         \
  INTERLACE_ABSEIL_LOCK(id, ns, 4Lock, true, 7TryLock)                                             \
  INTERLACE_ABSEIL_LOCK(id, ns, 10ReaderLock, false, 13ReaderTryLock)                              \
  INTERLACE_ABSEIL_TRYLOCK(id, ns, 7TryLock, true)                                                 \
  INTERLACE_ABSEIL_TRYLOCK(id, ns, 13ReaderTryLock, false)                                         \
  INTERLACE_ABSEIL_UNLOCK(id, ns, 6Unlock)                                                         \
  INTERLACE_ABSEIL_UNLOCK(id, ns, 12ReaderUnlock)                                                  \
  INTERLACE_ABSEIL_CONDVAR_WAIT(id, ns)

INTERLACE_ABSEIL_NAMESPACE(debian3, "7debian3")
INTERLACE_ABSEIL_NAMESPACE(lts_20220623, "12lts_20220623")
INTERLACE_ABSEIL_NAMESPACE(lts_20230125, "12lts_20230125")
INTERLACE_ABSEIL_NAMESPACE(lts_20230802, "12lts_20230802")
INTERLACE_ABSEIL_NAMESPACE(lts_20240116, "12lts_20240116")
INTERLACE_ABSEIL_NAMESPACE(lts_20240722, "12lts_20240722")
INTERLACE_ABSEIL_NAMESPACE(unversioned, "")
// NOLINTEND(bugprone-macro-parentheses,cppcoreguidelines-macro-usage)

namespace interlace::rt::detail {

void warn_if_abseil_not_interposed() {
  static std::atomic<bool> checked{false};
  if (checked.exchange(true)) {
    return;
  }
  // Where this runtime is loaded: a Lock symbol found in another object is Abseil's own.
  Dl_info runtime{};
  if (dladdr(reinterpret_cast<void *>(&warn_if_abseil_not_interposed), &runtime) == 0) { // NOLINT
    return;
  }
  const std::array<const char *, 7> locks{
      INTERLACE_ABSEIL_SYMBOL("7debian3", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("12lts_20220623", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("12lts_20230125", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("12lts_20230802", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("12lts_20240116", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("12lts_20240722", 4Lock),
      INTERLACE_ABSEIL_SYMBOL("", 4Lock),
  };
  for (const char *name : locks) {
    void *found = dlsym(RTLD_DEFAULT, name);
    Dl_info where{};
    if (found != nullptr && dladdr(found, &where) != 0 && where.dli_fbase != runtime.dli_fbase) {
      std::fprintf(stderr,
                   "interlace: absl::Mutex::Lock resolves to %s, not to the runtime, so Abseil's "
                   "locks are not switching points and their deadlocks are not reported by name. "
                   "Link Abseil as a shared library, after libinterlace_rt (call "
                   "interlace_instrument(target) before target_link_libraries(target ... "
                   "absl::synchronization)).\n",
                   where.dli_fname != nullptr ? where.dli_fname : "Abseil's own definition");
      return;
    }
  }
}

} // namespace interlace::rt::detail
