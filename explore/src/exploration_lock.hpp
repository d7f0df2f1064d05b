// One run of managed threads at a time in the process.
#pragma once

#include <mutex>

namespace interlace::detail {

// Held for a whole exploration and for a TraceExecutor run: the runtime's turn, RapidCheck's
// generation context and the assertion capture are process-wide, so explorations started from
// several threads take turns. Recursive: an exploration started from the setup or the
// invariant of another (on the same, unmanaged, thread) runs inside it as before; one started
// from a managed thread is refused before this lock is taken.
std::unique_lock<std::recursive_mutex> lock_exploration();

} // namespace interlace::detail
