// The first stage of shrinking: an equivalent schedule with fewer context switches.
//
// Two steps of different threads that do not conflict can run in either order without
// changing what any step reads, so a failing trace says more than its schedule: every
// linearisation of its happens-before order (program order plus the order of conflicting
// steps) fails the same way. reorder_by_thread() builds the one that switches least, greedily:
// the current thread keeps running while its next step's conflicting predecessors have all
// run, and otherwise the thread whose next step came first in the trace takes over. A sampler's
// schedule that alternates threads every few steps over long independent prefixes comes back
// with the few switches its conflicts need, at the price of one replay (the explorer keeps it
// only if it fails the same way, so a conflict this stage does not model costs nothing but
// that replay).
//
// Conflicts modelled: memory accesses to the same address with at least one write (a
// read-modify-write writes); synchronisation steps (lock, unlock, wait, notify, once) on the
// same object, which also conflict with memory accesses to it (a futex word); spawn, join and
// detach conflict with every step of the other threads (where their threads begin and end is
// not in the trace).
#pragma once

#include <span>
#include <vector>

#include "interlace/rt/event.hpp"

namespace interlace::detail {

std::vector<int> reorder_by_thread(std::span<const rt::StepRecord> trace);

} // namespace interlace::detail
