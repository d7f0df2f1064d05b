#include "fiber.hpp"

#include <sys/mman.h>

#include <cxxabi.h>

#include "fatal.hpp"

namespace interlace::rt::detail {
namespace {

// libstdc++'s __cxa_eh_globals (cxxabi.h declares it without its members): the exceptions
// being handled, innermost first, and the count of exceptions thrown and not yet caught.
struct EhGlobals {
  void *caught_exceptions;
  unsigned int uncaught_exceptions;
};

// Keeps the leaving context's exception state and installs the resumed one's.
void hand_over_exception_state(FiberContext &from, const FiberContext &to) noexcept {
  auto &eh = *reinterpret_cast<EhGlobals *>(abi::__cxa_get_globals());
  from.caught_exceptions = eh.caught_exceptions;
  from.uncaught_exceptions = eh.uncaught_exceptions;
  eh.caught_exceptions = to.caught_exceptions;
  eh.uncaught_exceptions = to.uncaught_exceptions;
}

} // namespace
} // namespace interlace::rt::detail

#ifdef INTERLACE_FIBER_ASM
// interlace_fiber_swap(save, next): pushes the callee-saved registers and the x87 and SSE
// control words, stores the stack pointer in *save, and pops the same from `next`.
// interlace_fiber_entry: where a prepared stack first returns to; it calls r13(r12). Its
// return address is undefined for the unwinder: nothing is above a fiber's first frame.
extern "C" void interlace_fiber_swap(void **save, void *next) noexcept;
extern "C" void interlace_fiber_entry();
__asm__(".text\n"
        ".globl interlace_fiber_swap\n"
        ".hidden interlace_fiber_swap\n"
        ".type interlace_fiber_swap,@function\n"
        "interlace_fiber_swap:\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  subq $16, %rsp\n"
        "  stmxcsr 8(%rsp)\n"
        "  fnstcw (%rsp)\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  fldcw (%rsp)\n"
        "  ldmxcsr 8(%rsp)\n"
        "  addq $16, %rsp\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n"
        ".size interlace_fiber_swap, .-interlace_fiber_swap\n"
        ".globl interlace_fiber_entry\n"
        ".hidden interlace_fiber_entry\n"
        ".type interlace_fiber_entry,@function\n"
        "interlace_fiber_entry:\n"
        "  .cfi_startproc\n"
        "  .cfi_undefined rip\n"
        "  movq %r12, %rdi\n"
        "  callq *%r13\n"
        "  ud2\n"
        "  .cfi_endproc\n"
        ".size interlace_fiber_entry, .-interlace_fiber_entry\n");
#endif

namespace interlace::rt::detail {

FiberStack::FiberStack()
    : base_(mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0)) {
  if (base_ == MAP_FAILED || mprotect(base_, kGuard, PROT_NONE) != 0) {
    internal_error("mmap failed for a fiber's stack");
  }
}

FiberStack::~FiberStack() { munmap(base_, kSize); }

#ifdef INTERLACE_FIBER_ASM

void FiberStack::prepare(FiberContext &context, void (*entry)(void *), void *arg) {
  // What interlace_fiber_swap pops, lowest address first: the control words, r15, r14, r13
  // (entry), r12 (arg), rbx, rbp, then the return address. The entry starts with the stack
  // 16-byte aligned, as before a call.
  constexpr std::size_t kSlots = 9;
  char *const top = static_cast<char *>(base_) + kSize;
  char *const return_slot = top - 24; // 8 mod 16: aligned once `ret` popped it
  auto *slots = reinterpret_cast<std::uint64_t *>(return_slot - ((kSlots - 1) * 8));
  std::uint16_t x87 = 0;
  std::uint32_t sse = 0;
  __asm__ volatile("fnstcw %0" : "=m"(x87));
  __asm__ volatile("stmxcsr %0" : "=m"(sse));
  slots[0] = x87;
  slots[1] = sse;
  slots[2] = 0;                                      // r15
  slots[3] = 0;                                      // r14
  slots[4] = reinterpret_cast<std::uint64_t>(entry); // r13
  slots[5] = reinterpret_cast<std::uint64_t>(arg);   // r12
  slots[6] = 0;                                      // rbx
  slots[7] = 0;                                      // rbp: the end of frame-pointer walks
  slots[8] = reinterpret_cast<std::uint64_t>(&interlace_fiber_entry);
  context.sp = slots;
  context.caught_exceptions = nullptr;
  context.uncaught_exceptions = 0;
}

void fiber_switch(FiberContext &from, FiberContext &to) noexcept {
  hand_over_exception_state(from, to);
  interlace_fiber_swap(&from.sp, to.sp);
}

#else

namespace {
// makecontext passes int arguments: the entry and its argument travel as halves.
void start_fiber(unsigned entry_low, unsigned entry_high, unsigned arg_low, unsigned arg_high) {
  const auto join = [](unsigned low, unsigned high) {
    return (static_cast<std::uintptr_t>(high) << 32) | low;
  };
  auto *entry = reinterpret_cast<void (*)(void *)>(join(entry_low, entry_high));
  entry(reinterpret_cast<void *>(join(arg_low, arg_high)));
  internal_error("a fiber's entry returned");
}
} // namespace

void FiberStack::prepare(FiberContext &context, void (*entry)(void *), void *arg) {
  getcontext(&context.context);
  context.context.uc_stack.ss_sp = reinterpret_cast<void *>(low());
  context.context.uc_stack.ss_size = kSize - kGuard;
  context.context.uc_link = nullptr;
  const auto e = reinterpret_cast<std::uintptr_t>(entry);
  const auto a = reinterpret_cast<std::uintptr_t>(arg);
  makecontext(&context.context, reinterpret_cast<void (*)()>(&start_fiber), 4,
              static_cast<unsigned>(e), static_cast<unsigned>(e >> 32), static_cast<unsigned>(a),
              static_cast<unsigned>(a >> 32));
  context.caught_exceptions = nullptr;
  context.uncaught_exceptions = 0;
}

void fiber_switch(FiberContext &from, FiberContext &to) noexcept {
  hand_over_exception_state(from, to);
  swapcontext(&from.context, &to.context);
}

#endif

} // namespace interlace::rt::detail
