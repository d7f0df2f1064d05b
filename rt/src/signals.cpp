#include "signals.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "execution.hpp"
#include "fatal.hpp"
#include "futex.hpp"
#include "thread_pool.hpp"

namespace interlace::rt::detail {
namespace {

// Enough for the report the crashed thread writes and the hand-over of its turn, on a
// thread whose own stack is exhausted. Pages are touched only when used.
constexpr std::size_t kSignalStackSize = std::size_t{256} * 1024;
// A fault this close below a thread's stack (its guard page and beyond) is a stack overflow.
constexpr std::uintptr_t kOverflowReach = std::uintptr_t{1024} * 1024;

constexpr std::array<int, 5> kCrashSignals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

std::array<struct sigaction, 65> g_previous{}; // by signal number; written once, at install
std::atomic<bool> g_forked_child{false};
// The thread runs fibers (prepare_fiber_host): a stop signal may reach it after the fiber it
// was meant for has left.
__thread __attribute__((tls_model("initial-exec"))) bool t_hosts_fibers = false;

const char *signal_name(int signal) {
  switch (signal) {
  case SIGSEGV:
    return "SIGSEGV";
  case SIGBUS:
    return "SIGBUS";
  case SIGFPE:
    return "SIGFPE";
  case SIGILL:
    return "SIGILL";
  case SIGABRT:
    return "SIGABRT";
  default:
    return "a signal";
  }
}

// What a crash was, in the words of the signal's code: "SIGSEGV (invalid access to 0x0)".
std::string describe_crash(int signal, const siginfo_t &info, bool overflow) {
  const std::string address = address_text(info.si_addr);
  std::string text = signal_name(signal);
  if (overflow) {
    return "stack overflow (" + text + " at " + address + ")";
  }
  switch (signal) {
  case SIGSEGV:
  case SIGBUS:
    return text + " (invalid access to " + address + ")";
  case SIGFPE:
    return text +
           (info.si_code == FPE_INTDIV ? " (integer division by zero)" : " (arithmetic error)");
  case SIGILL:
    return text + " (illegal instruction at " + address + ")";
  default:
    return text + " (raised inside the C library, e.g. a detected heap corruption)";
  }
}

// Hands the signal to whoever handled it before us, or to its default action.
void chain(int signal, siginfo_t *info, void *context) {
  const struct sigaction &previous = g_previous[static_cast<std::size_t>(signal)];
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(signal, info, context);
    return;
  }
  if (previous.sa_handler == SIG_IGN) {
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != nullptr) {
    previous.sa_handler(signal);
    return;
  }
  // The default action: it happens when the signal, blocked while this handler runs, is
  // delivered again on return.
  struct sigaction restore{};
  restore.sa_handler = SIG_DFL;
  sigemptyset(&restore.sa_mask);
  sigaction(signal, &restore, nullptr);
  pthread_kill(pthread_self(), signal);
}

void on_crash(int signal, siginfo_t *info, void *context) {
  ManagedThread *self = current_thread();
  // A crash of the runtime itself is a bug in interlace: no report could be trusted.
  if (self == nullptr || self->in_runtime || g_forked_child.load(std::memory_order_relaxed)) {
    chain(signal, info, context);
    return;
  }
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  const std::uintptr_t low =
      self->fiber != nullptr ? self->fiber->stack.low() : self->worker->stack_low;
  const bool overflow =
      signal == SIGSEGV && low != 0 && address < low + 4096 && address + kOverflowReach >= low;
  self->in_runtime = true;
  self->execution->crash_thread(*self, describe_crash(signal, *info, overflow));
}

void on_stop(int signal, siginfo_t *info, void *context) {
  ManagedThread *self = current_thread();
  if (self == nullptr && t_hosts_fibers) {
    return; // late: the abandoned fiber left on its own
  }
  if (self == nullptr || g_forked_child.load(std::memory_order_relaxed)) {
    chain(signal, info, context);
    return;
  }
  if (self->fiber != nullptr) {
    if (self->execution->abandoned()) {
      self->execution->leave_abandoned_fiber(*self); // a fiber stuck on the controller's thread
    }
    return; // late: the fiber is another run's
  }
  if (self->worker->lost.load(std::memory_order_acquire)) {
    self->worker->stopped.store(true, std::memory_order_release);
    raw_exit_thread(); // its execution was abandoned: nothing of it may run on
  }
}

void install(int signal, void (*handler)(int, siginfo_t *, void *)) {
  struct sigaction action{};
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  if (sigaction(signal, &action, &g_previous[static_cast<std::size_t>(signal)]) != 0) {
    internal_error("sigaction failed while installing the crash handlers");
  }
}

// Maps an alternate signal stack and makes it the calling thread's.
void *give_signal_stack() {
  void *stack = mmap(nullptr, kSignalStackSize, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED) {
    internal_error("mmap failed for a thread's signal stack");
  }
  stack_t alternate{};
  alternate.ss_sp = stack;
  alternate.ss_size = kSignalStackSize;
  if (sigaltstack(&alternate, nullptr) != 0) {
    internal_error("sigaltstack failed for a thread");
  }
  return stack;
}

void forked_child() {
  // The calling thread is the child's only thread: whatever it was, it is not managed here.
  if (t_current != nullptr) {
    t_current = nullptr;
    __interlace_library_steps = 0;
    g_forked_child.store(true, std::memory_order_relaxed);
  }
}

} // namespace

void install_signal_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const int signal : kCrashSignals) {
      install(signal, &on_crash);
    }
    install(stop_signal(), &on_stop);
    pthread_atfork(nullptr, nullptr, &forked_child);
  });
}

void prepare_worker_signals(Worker &worker) {
  worker.signal_stack = give_signal_stack();
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
    void *low = nullptr;
    std::size_t size = 0;
    if (pthread_attr_getstack(&attributes, &low, &size) == 0) {
      worker.stack_low = reinterpret_cast<std::uintptr_t>(low);
    }
    pthread_attr_destroy(&attributes);
  }
}

void prepare_fiber_host() {
  if (t_hosts_fibers) {
    return;
  }
  t_hosts_fibers = true;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) {
    return; // the thread has one of its own
  }
  give_signal_stack(); // kept for the thread's life
}

void free_worker_signals(Worker &worker) {
  if (worker.signal_stack != nullptr &&
      !worker.signal_stack_adopted.load(std::memory_order_acquire)) {
    munmap(worker.signal_stack, kSignalStackSize);
    worker.signal_stack = nullptr;
  }
}

void unblock_stop_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, stop_signal());
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

void unblock_crash_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : kCrashSignals) {
    sigaddset(&signals, signal);
  }
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

bool in_forked_child() { return g_forked_child.load(std::memory_order_relaxed); }

} // namespace interlace::rt::detail
