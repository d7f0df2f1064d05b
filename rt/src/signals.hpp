// Signals the runtime handles for managed threads: a crash in code under test (SIGSEGV,
// SIGBUS, SIGFPE, SIGILL, and SIGABRT raised inside libc) ends the thread that crashed and
// fails its execution instead of killing the process; and kStopSignal ends a thread that an
// abandoned execution found stuck outside the runtime (a blocking system call, a spin in
// uninstrumented code). Signals on threads that are not managed go to the handler that was
// installed before ours, or take their default action.
#pragma once

#include <csignal>
#include <cstddef>

namespace interlace::rt::detail {

class Worker;

// Sent with pthread_kill to a stuck managed thread; documented in docs/primitives.md.
inline int stop_signal() { return SIGRTMAX - 2; }

// Installs the handlers (once per process; later calls do nothing).
void install_signal_handlers();

// Gives the calling worker thread an alternate signal stack, so that a stack overflow in a
// managed thread can still be handled, and records the bounds of its stack.
void prepare_worker_signals(Worker &worker);
// Makes the calling thread one that runs fibers (RunOptions::fibers): it gets an alternate
// signal stack unless it has one (a crash handler must run off an overflowed fiber's stack,
// kept for the thread's lifetime), and a late stop signal is ignored there.
void prepare_fiber_host();
// Frees what prepare_worker_signals allocated, once the worker's thread has ended.
void free_worker_signals(Worker &worker);

// Unblocks the signals the crash handler takes, on the calling thread: for a fiber that ends in
// the handler and never returns from it (Execution::end_thread).
void unblock_crash_signals();
// The same for the stop signal: for a fiber that leaves its execution from the signal's
// handler (Execution::leave_abandoned_fiber).
void unblock_stop_signal();

// True in a process forked from a managed thread: there the runtime manages nothing.
bool in_forked_child();

} // namespace interlace::rt::detail
