// Fibers: stacks of their own on one OS thread, switched in user space. A switch saves the
// callee-saved registers on the stack it leaves and loads them from the one it resumes: tens
// of nanoseconds, no system call, where handing the turn to another OS thread costs a
// microsecond or more (a wake, and a core given away). RunOptions::fibers runs an execution's
// bodies this way (Execution::host_fibers).
//
// Each context also carries the C++ runtime's per-thread exception state (the exceptions
// being handled, the count of those in flight), so that a fiber may be switched away inside a
// catch block or while it unwinds, as a thread may be.
#pragma once

#include <cstddef>
#include <cstdint>

// x86-64 switches with a few instructions of its own; elsewhere (or with
// INTERLACE_FIBER_UCONTEXT, to test that path) with swapcontext, which also saves the signal
// mask: a system call per switch.
#if defined(__x86_64__) && !defined(INTERLACE_FIBER_UCONTEXT)
#define INTERLACE_FIBER_ASM 1
#else
#include <ucontext.h>
#endif

namespace interlace::rt::detail {

// A suspended flow of control: where fiber_switch() resumes it.
struct FiberContext {
#ifdef INTERLACE_FIBER_ASM
  void *sp = nullptr; // its registers are saved on its own stack, below sp
#else
  ucontext_t context{};
#endif
  void *caught_exceptions = nullptr; // __cxa_eh_globals, while suspended
  unsigned int uncaught_exceptions = 0;
};

// A fiber's stack: reserved address space with an inaccessible guard page at its low end;
// pages are committed only as the fiber touches them, and it is reused from run to run.
class FiberStack {
public:
  FiberStack();
  ~FiberStack();
  FiberStack(const FiberStack &) = delete;
  FiberStack &operator=(const FiberStack &) = delete;

  // The lowest usable address: a fault just below it is a stack overflow.
  std::uintptr_t low() const { return reinterpret_cast<std::uintptr_t>(base_) + kGuard; }

  // Makes `context` start `entry(arg)` on this stack when it is next switched to. `entry` must
  // not return (it switches away for good instead).
  void prepare(FiberContext &context, void (*entry)(void *), void *arg);

private:
  static constexpr std::size_t kGuard = 4096;
  static constexpr std::size_t kSize = std::size_t{8} << 20; // as a thread's default stack
  void *base_;
};

// Saves the caller's context in `from` and resumes `to`. Returns when something switches back
// to `from`.
void fiber_switch(FiberContext &from, FiberContext &to) noexcept;

} // namespace interlace::rt::detail
