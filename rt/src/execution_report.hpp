// The report writer: what an execution's failure message and details say about its threads.
// It reads the execution and the primitive models (models/), and changes nothing.
#pragma once

#include <string>

namespace interlace::rt::detail {

class Execution;
struct ManagedThread;

// "at bank.cpp:12" when the thread's pending event has a site (the call it waits in), else
// "after" the latest line it ran.
std::string position(const ManagedThread &thread);
// Each thread: what it waits for (and who holds that) or that it finished; then the cycle.
std::string describe_deadlock(const Execution &execution);
// Where every thread stands: at a marker, waiting for something, finished, or between steps.
std::string describe_threads(const Execution &execution);
// Where each thread was, and its last executed steps (oldest first, repeats folded).
std::string describe_positions(const Execution &execution);
// What the OS thread `tid`, stuck outside the runtime, is doing, from the kernel's view of
// it: "blocked in the read() system call" or "running code that has no yield points ...".
std::string describe_stuck_thread(int tid);

} // namespace interlace::rt::detail
