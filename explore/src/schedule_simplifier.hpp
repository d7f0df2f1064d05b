// Candidate simplifications of a failing schedule, for the last stage of shrinking.
//
// RapidCheck shrinks the choice sequence one choice at a time, towards zero. That removes
// most context switches, but it cannot reorder whole runs (e.g. start thread 1 first rather
// than preempt thread 0 right after it started). This stage does: it proposes schedules in
// which one run of a thread is moved next to that thread's following or preceding run,
// merging the two, so one or two switches disappear. The explorer replays each candidate and
// keeps it when it fails the same way with fewer preemptions (cf. the trace simplification
// of Jalbert & Sen, "A Trace Simplification Technique for Effective Debugging of
// Concurrent Programs", FSE 2010).
#pragma once

#include <span>
#include <vector>

namespace interlace::detail {

// Every schedule obtained by merging two consecutive runs of the same thread, either by
// moving the later run back or the earlier run forward; fewer switches first.
std::vector<std::vector<int>> merge_candidates(std::span<const int> schedule);

} // namespace interlace::detail
