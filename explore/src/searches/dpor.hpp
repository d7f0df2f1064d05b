// Optimal dynamic partial-order reduction (Abdulla, Aronis, Jonsson, Sagonas, "Source Sets: A
// Foundation for Optimal Dynamic Partial Order Reduction", JACM 2017): every interleaving of
// the test's threads up to equivalence, each equivalence class once. Two interleavings are
// equivalent when they order every pair of dependent steps the same way; a search that
// finishes has therefore seen every outcome the threads can produce under sequential
// consistency, and "holds" is a proof for those threads and inputs.
//
// The runtime is stateless: every execution starts from a fresh state and this search's
// strategy replays a prefix, takes the branch to explore, then chooses freely. After each
// execution the search finds its races (pairs of dependent steps of different threads with no
// step in between that orders them), and for each one puts the reversed order in the wakeup
// tree of the state before the first step, unless a thread in that state's sleep set (already
// explored there, independent of everything since) already starts it.
//
// Dependence (docs/searches.md says the same for users):
// - memory: two accesses of overlapping bytes of which one writes; a read-modify-write writes
//   unless it left the memory unchanged (a failed compare-exchange reads);
// - synchronisation: two operations on the same mutex, rwlock, spinlock, condition variable,
//   semaphore, barrier, once flag or futex word; a condvar wait (which releases a mutex the
//   step does not name) also depends on every lock operation;
// - threads: a thread's steps follow the step that created it; a join waits for the joined
//   thread's end by blocking, as a lock does.
// A lock acquisition races with the previous acquisition of the same lock (not with the
// release between them, which it cannot overtake), and a thread is not started on a lock
// another thread holds. Memory orders weaker than sequential consistency are explored as
// sequentially consistent; fences and markers depend on nothing.
//
// Async tasks (explore_async_interleavings, cooperative): a transition is a task's run from one
// switch point to the next, told to the search step by step (BlockStepObserver), and two runs
// depend on each other when any of their steps do.
//
// What makes a finished search not exhaustive (exhaustive() says false, the explanation says
// "sampled"): a wake-up with a choice of waiter (only the first waiter is explored), an
// execution that did not repeat its prefix (the code under test is not deterministic for a
// given schedule), memory outside every object the explorer knows of (an allocation the
// pass did not see) that moved from one execution to the next: the search then names it as
// the recorded prefix did and goes on; and a replayed run of a task that touched other objects
// than it did.
#pragma once

#include <memory>

#include "searches/search.hpp"

namespace interlace::detail {

std::unique_ptr<ScheduleSearch> make_dpor_search(const SearchParams &params);

} // namespace interlace::detail
