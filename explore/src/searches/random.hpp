// The random search: RapidCheck generates choice sequences and a ChoiceStrategy turns each
// into a schedule of random runs of random lengths (rt/include/interlace/rt/choice_strategy.hpp),
// with no horizon: choices are drawn for the whole execution. On a failure RapidCheck shrinks
// the choice sequence towards zero, which removes context switches.
//
// RapidCheck owns its loop (checkProperty calls the property once per test case), while a
// ScheduleSearch hands out one execution at a time. So RapidCheck runs on a thread of its own,
// the generator, and the two take turns: each property call hands its choice source to the
// explorer and sleeps until the explorer says how that execution ended. RapidCheck's
// generation context is process-wide, so the managed threads of the execution draw from it
// while the generator sleeps inside the property.
#pragma once

#include <memory>

#include "searches/search.hpp"

namespace interlace::detail {

// A search whose failures it shrinks itself: after observe() reported a failure,
// next_strategy() hands out shrink candidates, and observe() says of each whether it still
// fails the same way; null once shrinking is over.
class SelfShrinkingSearch : public ScheduleSearch {
public:
  // From now on, answer every candidate as "does not fail" without running it, so that the
  // search ends at once (a budget ran out).
  virtual void give_up() = 0;

  SelfShrinkingSearch *self_shrinking() override { return this; }
};

std::unique_ptr<SelfShrinkingSearch> make_random_search(const SearchParams &params);

// The same search with its choices drawn from a seeded generator (rt::SeededChoiceSource)
// instead of RapidCheck: the same distribution of schedules, without the generator thread's
// handoff at every execution, which costs as much as a small execution. Its failures are
// shrunk by the explorer's choice shrinker. The automatic portfolio's random member.
std::unique_ptr<ScheduleSearch> make_seeded_random_search(const SearchParams &params);

} // namespace interlace::detail
