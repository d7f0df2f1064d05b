// The samplers' strategies (PCT, POS, SURW) and their searches, on hand-made decisions: no
// threads, no pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <ranges>
#include <set>
#include <vector>

#include "searches/pct.hpp"
#include "searches/pos.hpp"
#include "searches/surw.hpp"

namespace interlace::detail {
namespace {

using rt::Event;
using rt::EventKind;

// Addresses and sites for hand-made events.
std::array<std::uint64_t, 8> memory{};
const interlace_site kSiteA{"a.cpp", "f", 1, 1, 0, 0, "x"};
const interlace_site kSiteB{"a.cpp", "f", 2, 1, 0, 0, "y"};
const interlace_site kSiteC{"a.cpp", "f", 3, 1, 0, 0, "z"};
const interlace_site kSiteD{"a.cpp", "f", 4, 1, 0, 0, nullptr};

Event event(EventKind kind, const void *addr = nullptr, std::uint32_t size = 8,
            const interlace_site *site = nullptr) {
  Event made;
  made.kind = kind;
  made.size = size;
  made.addr = addr;
  made.site = site;
  return made;
}
Event read(const void *addr, const interlace_site *site = nullptr) {
  return event(EventKind::Read, addr, 8, site);
}
Event write(const void *addr, const interlace_site *site = nullptr) {
  return event(EventKind::Write, addr, 8, site);
}
Event local() { return event(EventKind::Fence, nullptr, 0); }

// Hand-made decisions over threads whose announced events the test sets.
class Decisions {
public:
  explicit Decisions(std::size_t threads) : events_(threads) {}

  Event &pending(int thread) { return events_[static_cast<std::size_t>(thread)]; }
  void add_thread(Event pending = Event{}) { events_.push_back(pending); }

  const rt::Decision &at(std::uint64_t step, int current, std::vector<int> candidates,
                         std::uint32_t run_length = 0) {
    candidates_ = std::move(candidates);
    pointers_.clear();
    for (const Event &announced : events_) {
      pointers_.push_back(&announced);
    }
    decision_ = rt::Decision{};
    decision_.step = step;
    decision_.current = current;
    decision_.candidates = candidates_;
    decision_.pending = rt::AnnouncedSteps(pointers_);
    decision_.run_length = run_length;
    return decision_;
  }

private:
  std::vector<Event> events_;
  std::vector<const Event *> pointers_;
  std::vector<int> candidates_;
  rt::Decision decision_;
};

// Runs a strategy over threads that execute fixed event lists, as the runtime does: candidates
// in canonical order (the current thread first, then cyclically after it), the steps a
// repeats() answer granted are not asked about, and a thread that ends changes the runnable set.
struct Simulated {
  std::vector<int> schedule;
  std::vector<rt::StepRecord> trace;
  std::vector<std::uint64_t> asked;       // the steps at which the strategy was asked
  std::vector<std::uint64_t> preemptions; // steps at which a still-runnable thread lost the turn
};

Simulated simulate(rt::Strategy &strategy, const std::vector<std::vector<Event>> &threads) {
  const int n = static_cast<int>(threads.size());
  std::vector<std::size_t> position(threads.size(), 0);
  std::vector<Event> pending(threads.size());
  std::vector<const Event *> pointers(pending.size());
  std::ranges::transform(pending, pointers.begin(),
                         [](const Event &announced) { return &announced; });
  const auto runnable = [&](int thread) {
    return position[static_cast<std::size_t>(thread)] <
           threads[static_cast<std::size_t>(thread)].size();
  };
  Simulated run;
  strategy.begin();
  int current = -1;
  std::uint32_t run_length = 0;
  std::uint64_t granted = 0;
  int answer = -1;
  std::vector<int> asked_candidates;
  for (std::uint64_t step = 0;; ++step) {
    for (int thread = 0; thread < n; ++thread) {
      const auto index = static_cast<std::size_t>(thread);
      pending[index] =
          runnable(thread) ? threads[index][position[index]] : event(EventKind::Finish, nullptr, 0);
    }
    std::vector<int> candidates;
    for (int i = 0; i < n; ++i) {
      const int thread = ((current < 0 ? 0 : current) + i) % n;
      if (runnable(thread)) {
        candidates.push_back(thread);
      }
    }
    if (candidates.empty()) {
      break;
    }
    std::vector<int> sorted = candidates;
    std::ranges::sort(sorted);
    if (granted > 0 && sorted == asked_candidates) {
      --granted;
    } else {
      rt::Decision decision;
      decision.step = step;
      decision.current = current;
      decision.candidates = candidates;
      decision.pending = rt::AnnouncedSteps(pointers);
      decision.run_length = run_length;
      answer = strategy.next(decision).value_or(-1);
      EXPECT_NE(std::ranges::find(candidates, answer), candidates.end())
          << "step " << step << " chose " << answer;
      if (answer < 0) {
        break;
      }
      granted = strategy.repeats();
      asked_candidates = sorted;
      run.asked.push_back(step);
    }
    if (current >= 0 && answer != current && runnable(current)) {
      run.preemptions.push_back(step);
    }
    run_length = answer == current ? run_length + 1 : 1;
    current = answer;
    const auto index = static_cast<std::size_t>(answer);
    run.schedule.push_back(answer);
    run.trace.push_back(rt::StepRecord{answer, threads[index][position[index]]});
    ++position[index];
  }
  return run;
}

std::vector<std::vector<Event>> independent_threads(int threads, int steps) {
  return std::vector<std::vector<Event>>(
      static_cast<std::size_t>(threads),
      std::vector<Event>(static_cast<std::size_t>(steps), local()));
}

// ---------------------------------------------------------------------------------------
// PCT

TEST(PctTest, DrawsDistinctInitialPrioritiesAndChangePointsForAFixedSeed) {
  PctStrategy pct(42, 3, 100);
  pct.begin();
  // d - 1 = 2 change points among steps 1 .. 99, in draw order: the first lowers to priority 1,
  // the second to 2.
  EXPECT_EQ(pct.change_points(), (std::vector<std::uint64_t>{65, 83}));
  Decisions decisions(3);
  pct.next(decisions.at(0, -1, {0, 1, 2}));
  // Initial priorities are d .. d+n-1 = 3 .. 5 in random order.
  EXPECT_EQ(pct.priorities(), (std::vector<std::int64_t>{5, 3, 4}));
}

TEST(PctTest, RunsTheHighestPriorityThreadAndLowersItAtEachChangePoint) {
  PctStrategy pct(42, 3, 100);
  const Simulated run = simulate(pct, independent_threads(3, 40));
  // Priorities 5, 3, 4 and change points 65 (to 1), 83 (to 2). Thread 0 (5) runs its 40 steps,
  // then thread 2 (4) runs steps 40 .. 64; at step 65 thread 2, which executed step 64, drops
  // to 1 and thread 1 (3) runs; at step 83 thread 1 drops to 2, still above thread 2, so it
  // runs on to its end (step 104) and thread 2 finishes (steps 105 .. 119). One preemption.
  const auto runs_of = [&](std::size_t from, std::size_t to, int thread) {
    return std::all_of(run.schedule.begin() + static_cast<std::ptrdiff_t>(from),
                       run.schedule.begin() + static_cast<std::ptrdiff_t>(to),
                       [thread](int step) { return step == thread; });
  };
  ASSERT_EQ(run.schedule.size(), 120U);
  EXPECT_TRUE(runs_of(0, 40, 0));
  EXPECT_TRUE(runs_of(40, 65, 2));
  EXPECT_TRUE(runs_of(65, 105, 1));
  EXPECT_TRUE(runs_of(105, 120, 2));
  EXPECT_EQ(run.preemptions, (std::vector<std::uint64_t>{65}));
  // Thread 0, never lowered, is alone in the initial band: priority d = 3.
  EXPECT_EQ(pct.priorities(), (std::vector<std::int64_t>{3, 2, 1}));
}

TEST(PctTest, NeverPreemptsExceptAtChangePoints) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    PctStrategy pct(seed, 4, 90);
    const Simulated run = simulate(pct, independent_threads(3, 30));
    const std::vector<std::uint64_t> &points = pct.change_points();
    for (const std::uint64_t step : run.preemptions) {
      EXPECT_NE(std::ranges::find(points, step), points.end())
          << "seed " << seed << " preempted at step " << step;
    }
  }
}

TEST(PctTest, GrantsEveryStepUpToTheNextChangePoint) {
  PctStrategy pct(42, 3, 100);
  const Simulated run = simulate(pct, independent_threads(3, 40));
  // Asked at the start, at the two change points (65, 83), when a thread ends (40, 105), and
  // every SpinWatch::kSpinCheck steps of a run while others could run (32; the next looks,
  // at 72 and 97, come after a change point).
  EXPECT_EQ(run.asked, (std::vector<std::uint64_t>{0, 32, 40, 65, 83, 105}));
  Decisions decisions(2);
  PctStrategy fresh(42, 3, 100);
  fresh.next(decisions.at(0, -1, {0, 1}));
  EXPECT_EQ(fresh.repeats(), 31U); // until the next look (the change point is at 65)
  fresh.next(decisions.at(0, -1, {0}));
  EXPECT_EQ(fresh.repeats(), 64U); // alone: until the change point
  fresh.next(decisions.at(85, 0, {0}));
  EXPECT_EQ(fresh.repeats(), kForever); // no change point left, nobody else runnable
}

TEST(PctTest, AThreadSeenMidRunGetsARandomInitialRank) {
  PctStrategy pct(7, 2, 50);
  Decisions decisions(2);
  pct.next(decisions.at(0, -1, {0, 1}));
  const std::vector<std::int64_t> before = pct.priorities();
  ASSERT_EQ(before.size(), 2U);
  decisions.add_thread(event(EventKind::Start));
  const std::optional<int> chosen = pct.next(decisions.at(1, 0, {0, 1, 2}));
  const std::vector<std::int64_t> &after = pct.priorities();
  ASSERT_EQ(after.size(), 3U);
  // Still d .. d+n-1 = 2 .. 4, distinct, and the first two keep their order.
  EXPECT_EQ(std::set<std::int64_t>(after.begin(), after.end()), (std::set<std::int64_t>{2, 3, 4}));
  EXPECT_EQ(before[0] < before[1], after[0] < after[1]);
  EXPECT_EQ(before, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(after, (std::vector<std::int64_t>{4, 3, 2})); // thread 2 drew the lowest rank
  EXPECT_EQ(chosen, 0);
}

TEST(PctTest, AStarvingThreadDropsBelowEveryPriority) {
  PctStrategy pct(42, 1, 100, /*starvation_steps=*/5);
  Decisions decisions(2);
  const int first = pct.next(decisions.at(0, -1, {0, 1})).value_or(-1);
  EXPECT_EQ(pct.repeats(), 4U); // run steps 0 .. 4, then asked with run_length 5
  const int other = 1 - first;
  EXPECT_EQ(pct.next(decisions.at(5, first, {first, other}, 5)), other);
  EXPECT_EQ(pct.priorities()[static_cast<std::size_t>(first)], 0);
}

TEST(PctTest, ALoneThreadIsNotStarving) {
  PctStrategy pct(42, 1, 100, /*starvation_steps=*/5);
  Decisions decisions(2);
  EXPECT_EQ(pct.next(decisions.at(0, -1, {0})), 0);
  EXPECT_EQ(pct.repeats(), kForever);
  EXPECT_EQ(pct.next(decisions.at(9, 0, {0}, 9)), 0);
}

TEST(PctTest, ReleasesTheHighestPriorityWaiter) {
  PctStrategy pct(42, 3, 100); // priorities 5, 3, 4
  Decisions decisions(3);
  pct.next(decisions.at(0, -1, {0, 1, 2}));
  const std::vector<int> waiters = {1, 2, 0};
  rt::WakeDecision wake;
  wake.waiters = waiters;
  EXPECT_EQ(pct.choose_waiter(wake), 2U); // thread 0
  const std::vector<int> two = {1, 2};
  wake.waiters = two;
  EXPECT_EQ(pct.choose_waiter(wake), 1U); // thread 2
}

TEST(PctTest, TheSameSeedGivesTheSameSchedule) {
  PctStrategy a(99, 3, 200);
  PctStrategy b(99, 3, 200);
  const Simulated first = simulate(a, independent_threads(4, 50));
  EXPECT_EQ(simulate(b, independent_threads(4, 50)).schedule, first.schedule);
  EXPECT_EQ(simulate(a, independent_threads(4, 50)).schedule, first.schedule); // begin() resets
  PctStrategy c(100, 3, 200);
  EXPECT_NE(simulate(c, independent_threads(4, 50)).schedule, first.schedule);
}

TEST(PctSearchTest, LearnsTheLengthFromTheLongestObservedExecution) {
  SearchParams params;
  params.seed = 5;
  params.max_steps = 500;
  PctSearch search(params);
  EXPECT_EQ(search.kind(), Search::pct);
  EXPECT_EQ(search.length(), PctSearch::kDefaultLength > 500 ? 500U : PctSearch::kDefaultLength);
  for (const std::size_t length : {60, 40, 80, 900}) {
    auto *strategy = dynamic_cast<PctStrategy *>(search.next_strategy());
    ASSERT_NE(strategy, nullptr);
    EXPECT_EQ(strategy->length(), search.length());
    for (const std::uint64_t point : strategy->change_points()) {
      EXPECT_GE(point, 1U);
      EXPECT_LT(point, strategy->length());
    }
    const std::vector<int> schedule(length, 0);
    ExecutionResult result;
    result.schedule = schedule;
    search.observe(result);
  }
  EXPECT_EQ(search.length(), 500U); // the longest, 900, capped at max_steps
  EXPECT_FALSE(search.exhaustive());
}

TEST(PctSearchTest, LearnsLengthsThroughItsOwnStrategies) {
  SearchParams params;
  params.seed = 5;
  PctSearch search(params);
  for (int execution = 0; execution < 3; ++execution) {
    rt::Strategy *strategy = search.next_strategy();
    ASSERT_NE(strategy, nullptr);
    const Simulated run = simulate(*strategy, independent_threads(2, 30));
    ExecutionResult result;
    result.schedule = run.schedule;
    result.num_threads = 2;
    search.observe(result);
    EXPECT_EQ(search.length(), 60U);
  }
}

TEST(PctSearchTest, TheSameSeedGivesTheSameStrategies) {
  SearchParams params;
  params.seed = 11;
  params.pct_depth = 4;
  PctSearch a(params);
  PctSearch b(params);
  std::set<std::vector<std::uint64_t>> distinct;
  for (int execution = 0; execution < 20; ++execution) {
    auto *x = dynamic_cast<PctStrategy *>(a.next_strategy());
    auto *y = dynamic_cast<PctStrategy *>(b.next_strategy());
    ASSERT_NE(x, nullptr);
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(x->change_points(), y->change_points());
    EXPECT_EQ(x->change_points().size(), 3U);
    distinct.insert(x->change_points());
  }
  EXPECT_GT(distinct.size(), 15U); // each execution draws its own
  EXPECT_NE(make_pct_search(params), nullptr);
}

// ---------------------------------------------------------------------------------------
// POS

TEST(PosTest, EventsConflictOnOverlappingBytesWhenOneWrites) {
  auto *bytes = reinterpret_cast<std::uint8_t *>(memory.data());
  EXPECT_TRUE(events_conflict(read(&memory[0]), write(&memory[0])));
  EXPECT_TRUE(events_conflict(write(&memory[0]), write(&memory[0])));
  EXPECT_TRUE(events_conflict(event(EventKind::Rmw, bytes + 4, 4), read(&memory[0])));
  EXPECT_FALSE(events_conflict(read(&memory[0]), read(&memory[0])));
  EXPECT_FALSE(events_conflict(write(&memory[0]), write(&memory[1])));
  EXPECT_FALSE(
      events_conflict(event(EventKind::Write, bytes, 4), event(EventKind::Read, bytes + 4, 4)));
  // Synchronisation on one object, whatever the kinds.
  EXPECT_TRUE(events_conflict(event(EventKind::Lock, &memory[2], 0),
                              event(EventKind::Unlock, &memory[2], 0)));
  EXPECT_TRUE(events_conflict(event(EventKind::Wait, &memory[2], 0),
                              event(EventKind::Notify, &memory[2], 0)));
  EXPECT_TRUE(events_conflict(event(EventKind::ReadLock, &memory[2], 0),
                              event(EventKind::Lock, &memory[2], 0)));
  EXPECT_FALSE(events_conflict(event(EventKind::Lock, &memory[2], 0),
                               event(EventKind::Lock, &memory[3], 0)));
  // A futex wait reads its word; a condvar wait (no size) does not.
  EXPECT_TRUE(events_conflict(event(EventKind::Wait, &memory[4], 4), write(&memory[4])));
  EXPECT_FALSE(events_conflict(event(EventKind::Wait, &memory[4], 0), write(&memory[4])));
  EXPECT_FALSE(events_conflict(event(EventKind::Lock, &memory[4], 0), write(&memory[4])));
  // Thread creation and joins.
  EXPECT_TRUE(events_conflict(event(EventKind::Spawn), event(EventKind::Spawn)));
  EXPECT_TRUE(events_conflict(event(EventKind::Join, &memory[5], 0),
                              event(EventKind::Detach, &memory[5], 0)));
  EXPECT_FALSE(events_conflict(event(EventKind::Join, &memory[5], 0),
                               event(EventKind::Join, &memory[6], 0)));
  EXPECT_FALSE(events_conflict(local(), local()));
  EXPECT_FALSE(events_conflict(event(EventKind::Sleep), event(EventKind::Sleep)));
}

TEST(PosTest, RunsTheThreadWhosePendingEventHasTheHighestPriority) {
  PosStrategy pos(8);
  pos.begin();
  Decisions decisions(3);
  for (int thread = 0; thread < 3; ++thread) {
    decisions.pending(thread) = local();
  }
  const std::optional<int> chosen = pos.next(decisions.at(0, -1, {0, 1, 2}));
  const std::vector<std::uint64_t> &priorities = pos.priorities();
  ASSERT_EQ(priorities.size(), 3U);
  // The first three numbers of the seed's stream, one per thread in id order.
  SplitMix stream(8);
  EXPECT_EQ(priorities, (std::vector<std::uint64_t>{stream.next(), stream.next(), stream.next()}));
  const auto best = std::ranges::max_element(priorities) - priorities.begin();
  EXPECT_EQ(chosen, static_cast<int>(best));
  EXPECT_EQ(chosen, 2);
  EXPECT_EQ(pos.repeats(), 0U);
}

TEST(PosTest, ReprioritisesThePendingEventsThatConflictWithTheExecutedOne) {
  PosStrategy pos(8); // thread 2 runs first (see above)
  Decisions decisions(4);
  decisions.pending(0) = read(&memory[0]);                      // conflicts with thread 2's write
  decisions.pending(1) = read(&memory[1]);                      // does not
  decisions.pending(2) = write(&memory[0]);                     // executes first
  decisions.pending(3) = event(EventKind::Lock, &memory[0], 0); // another class: does not
  ASSERT_EQ(pos.next(decisions.at(0, -1, {0, 1, 2, 3})), 2);
  const std::vector<std::uint64_t> before = pos.priorities();
  decisions.pending(2) = read(&memory[2]); // its next event
  const std::optional<int> chosen = pos.next(decisions.at(1, 2, {2, 3, 0, 1}));
  const std::vector<std::uint64_t> &after = pos.priorities();
  EXPECT_NE(after[0], before[0]); // conflicting: fresh
  EXPECT_EQ(after[1], before[1]);
  EXPECT_NE(after[2], before[2]); // the executing thread's next event: fresh
  EXPECT_EQ(after[3], before[3]);
  // Fresh priorities come from the stream in thread id order: thread 0's, then thread 2's.
  SplitMix stream(8);
  for (int i = 0; i < 4; ++i) {
    stream.next();
  }
  EXPECT_EQ(after[0], stream.next());
  EXPECT_EQ(after[2], stream.next());
  EXPECT_EQ(chosen, static_cast<int>(std::ranges::max_element(after) - after.begin()));
  EXPECT_EQ(chosen, 1);
}

TEST(PosTest, AThreadThatBecomesRunnableAgainGetsAFreshPriority) {
  PosStrategy pos(8);
  Decisions decisions(3);
  for (int thread = 0; thread < 3; ++thread) {
    decisions.pending(thread) = local();
  }
  const int first = pos.next(decisions.at(0, -1, {0, 1})).value_or(-1);
  const std::vector<std::uint64_t> before = pos.priorities();
  // Thread 2 was blocked at step 0 and runs again at step 1.
  pos.next(decisions.at(1, first, {0, 1, 2}));
  EXPECT_NE(pos.priorities()[2], before[2]);
  EXPECT_EQ(pos.priorities()[static_cast<std::size_t>(1 - first)],
            before[static_cast<std::size_t>(1 - first)]);
}

TEST(PosTest, AThreadSeenMidRunGetsAPriority) {
  PosStrategy pos(8);
  Decisions decisions(2);
  decisions.pending(0) = local();
  decisions.pending(1) = local();
  const int first = pos.next(decisions.at(0, -1, {0, 1})).value_or(-1);
  decisions.add_thread(event(EventKind::Start));
  const std::optional<int> chosen = pos.next(decisions.at(1, first, {first, 1 - first, 2}));
  ASSERT_EQ(pos.priorities().size(), 3U);
  EXPECT_TRUE(chosen == 0 || chosen == 1 || chosen == 2);
}

TEST(PosTest, ALoneRunnableThreadRunsUntilTheRunnableSetChanges) {
  PosStrategy pos(1);
  Decisions decisions(2);
  EXPECT_EQ(pos.next(decisions.at(0, -1, {1})), 1);
  EXPECT_EQ(pos.repeats(), kForever);
  pos.next(decisions.at(7, 1, {1, 0}));
  EXPECT_EQ(pos.repeats(), 0U);
}

TEST(PosTest, AStarvingThreadGivesWayOnce) {
  PosStrategy pos(8, /*starvation_steps=*/4);
  Decisions decisions(3);
  ASSERT_EQ(pos.next(decisions.at(0, -1, {0, 1, 2})), 2);
  // Thread 2 keeps winning (its fresh priorities stay the highest, here by fiat of the test):
  // once its run reaches 4 steps it must give way.
  EXPECT_NE(pos.next(decisions.at(4, 2, {2, 0, 1}, 4)), 2);
}

TEST(PosTest, ChoosesWaitersUniformly) {
  PosStrategy pos(21);
  const std::vector<int> waiters = {4, 5, 6};
  rt::WakeDecision wake;
  wake.waiters = waiters;
  std::array<int, 3> counts{};
  for (int i = 0; i < 3000; ++i) {
    const std::size_t index = pos.choose_waiter(wake);
    ASSERT_LT(index, 3U);
    ++counts[index];
  }
  for (const int count : counts) {
    EXPECT_GT(count, 900);
    EXPECT_LT(count, 1100);
  }
}

TEST(PosTest, TheSameSeedGivesTheSameSchedule) {
  std::vector<std::vector<Event>> threads = {
      {read(&memory[0]), write(&memory[0]), read(&memory[1])},
      {read(&memory[0]), write(&memory[0]), write(&memory[1])},
      {local(), read(&memory[1]), write(&memory[0])}};
  PosStrategy a(17);
  PosStrategy b(17);
  const Simulated first = simulate(a, threads);
  EXPECT_EQ(simulate(b, threads).schedule, first.schedule);
  EXPECT_EQ(simulate(a, threads).schedule, first.schedule);
  EXPECT_EQ(first.schedule, (std::vector<int>{0, 1, 2, 1, 0, 0, 1, 2, 2}));
}

TEST(PosSearchTest, EachExecutionHasItsOwnSeedAndTheSameSeedRepeatsThem) {
  SearchParams params;
  params.seed = 4;
  PosSearch a(params);
  PosSearch b(params);
  EXPECT_EQ(a.kind(), Search::pos);
  const auto threads = independent_threads(3, 4);
  std::set<std::vector<int>> distinct;
  for (int execution = 0; execution < 30; ++execution) {
    rt::Strategy *x = a.next_strategy();
    rt::Strategy *y = b.next_strategy();
    ASSERT_NE(x, nullptr);
    const Simulated run = simulate(*x, threads);
    EXPECT_EQ(simulate(*y, threads).schedule, run.schedule);
    distinct.insert(run.schedule);
    ExecutionResult result;
    result.schedule = run.schedule;
    a.observe(result);
    b.observe(result);
  }
  EXPECT_GT(distinct.size(), 20U);
  EXPECT_NE(make_pos_search(params), nullptr);
}

// ---------------------------------------------------------------------------------------
// SURW

// A plan that makes kSiteA interesting, with the given weights.
SurwPlan plan_on_site_a(std::vector<std::uint64_t> weights) {
  SurwPlan plan;
  plan.sites = {&kSiteA};
  plan.weights = std::move(weights);
  return plan;
}

TEST(SurwTest, AnEventIsInterestingWhenItsSiteIsSelected) {
  SurwStrategy surw(1, plan_on_site_a({1, 1}));
  EXPECT_TRUE(surw.interesting(read(&memory[0], &kSiteA)));
  EXPECT_TRUE(surw.interesting(write(&memory[7], &kSiteA))); // sites, not addresses
  EXPECT_FALSE(surw.interesting(read(&memory[0], &kSiteB)));
  EXPECT_FALSE(surw.interesting(local()));
  SurwPlan every;
  every.every_event = true;
  EXPECT_TRUE(SurwStrategy(1, every).interesting(local()));
}

TEST(SurwTest, DrawsTheThreadForTheNextInterestingEventByRemainingCount) {
  // Both threads are at an interesting event; thread 0 has 3 left, thread 1 has 1.
  std::array<int, 2> drawn{};
  for (std::uint64_t seed = 0; seed < 4000; ++seed) {
    SurwStrategy surw(seed, plan_on_site_a({3, 1}));
    surw.begin();
    Decisions decisions(2);
    decisions.pending(0) = read(&memory[0], &kSiteA);
    decisions.pending(1) = write(&memory[0], &kSiteA);
    const int chosen = surw.next(decisions.at(0, -1, {0, 1})).value_or(-1);
    ++drawn[static_cast<std::size_t>(chosen)];
    // The one chosen executes its interesting event: one fewer left, nobody held back.
    EXPECT_EQ(surw.weights()[static_cast<std::size_t>(chosen)], chosen == 0 ? 2U : 0U);
    EXPECT_EQ(surw.drawn(), -1);
  }
  EXPECT_NEAR(drawn[0] / 4000.0, 0.75, 0.03);
}

TEST(SurwTest, HoldsBackOtherInterestingEventsUntilTheDrawnThreadsExecutes) {
  // Thread 0 has the highest priority and is at an interesting event: the draw for the next
  // interesting event, weights 1 (thread 0 counts at least 1) and 4, picks thread 1 (for this
  // seed), so thread 0 is held back and thread 1 runs its uninteresting events until it
  // executes an interesting one.
  SurwStrategy surw(17, plan_on_site_a({0, 4}));
  Decisions decisions(2);
  decisions.pending(0) = read(&memory[0], &kSiteA);
  decisions.pending(1) = local();
  EXPECT_EQ(surw.next(decisions.at(0, -1, {0, 1})), 1);
  EXPECT_EQ(surw.drawn(), 1);
  EXPECT_EQ(surw.held(), (std::vector<bool>{true, false}));
  EXPECT_EQ(surw.next(decisions.at(1, 1, {1, 0}, 1)), 1);
  decisions.pending(1) = write(&memory[0], &kSiteA);
  EXPECT_EQ(surw.next(decisions.at(2, 1, {1, 0}, 2)), 1);        // its interesting event
  EXPECT_EQ(surw.weights(), (std::vector<std::uint64_t>{1, 3})); // thread 0 counts at least 1
  EXPECT_EQ(surw.held(), (std::vector<bool>{false, false}));
  EXPECT_EQ(surw.drawn(), -1);
}

TEST(SurwTest, ReleasesEveryoneWhenTheDrawnThreadCannotRun) {
  SurwStrategy surw(17, plan_on_site_a({0, 4})); // as above
  Decisions decisions(2);
  decisions.pending(0) = read(&memory[0], &kSiteA);
  decisions.pending(1) = local();
  EXPECT_EQ(surw.next(decisions.at(0, -1, {0, 1})), 1);
  EXPECT_EQ(surw.drawn(), 1);
  // Thread 1 blocked: thread 0, held back, is released and drawn.
  EXPECT_EQ(surw.next(decisions.at(1, 1, {0})), 0);
  EXPECT_EQ(surw.weights()[0], 0U);
}

TEST(SurwTest, UninterestingEventsRunByRandomPriority) {
  SurwStrategy surw(9, plan_on_site_a({1, 1, 1}));
  Decisions decisions(3);
  for (int thread = 0; thread < 3; ++thread) {
    decisions.pending(thread) = local();
  }
  const int chosen = surw.next(decisions.at(0, -1, {0, 1, 2})).value_or(-1);
  SplitMix stream(9);
  std::vector<std::uint64_t> initial = {stream.next(), stream.next(), stream.next()};
  EXPECT_EQ(chosen, static_cast<int>(std::ranges::max_element(initial) - initial.begin()));
  initial[static_cast<std::size_t>(chosen)] = stream.next(); // its next event's priority
  EXPECT_EQ(surw.priorities(), initial);
  EXPECT_EQ(surw.weights(), (std::vector<std::uint64_t>{1, 1, 1})); // nothing interesting ran
}

TEST(SurwTest, ASpawnMovesTheChildsCountFromItsParent) {
  SurwStrategy surw(2, plan_on_site_a({10, 4, 3}));
  Decisions decisions(1);
  decisions.pending(0) = local();
  EXPECT_EQ(surw.next(decisions.at(0, -1, {0})), 0);
  decisions.add_thread(event(EventKind::Start));
  surw.next(decisions.at(1, 0, {0, 1}));
  EXPECT_EQ(surw.parents(), (std::vector<int>{-1, 0}));
  EXPECT_EQ(surw.weights(), (std::vector<std::uint64_t>{6, 4}));
  decisions.add_thread(event(EventKind::Start));
  surw.next(decisions.at(2, 0, {0, 1, 2}));
  EXPECT_EQ(surw.parents(), (std::vector<int>{-1, 0, 0}));
  EXPECT_EQ(surw.weights(), (std::vector<std::uint64_t>{3, 4, 3}));
}

// Every interleaving of two threads' two interesting events (A1 A2 and B1 B2, with
// uninteresting events around them) comes out with probability 1/6. A random walk would give
// A1 A2 B1 B2 (and B1 B2 A1 A2) a quarter each, and the other four an eighth.
TEST(SurwTest, SamplesInterleavingsOfInterestingEventsUniformly) {
  const std::vector<std::vector<Event>> threads = {
      {local(), read(&memory[0], &kSiteA), local(), local(), write(&memory[0], &kSiteA)},
      {write(&memory[0], &kSiteA), local(), local(), local(), read(&memory[0], &kSiteA), local()}};
  std::map<std::vector<int>, int> orders;
  constexpr int kRuns = 6000;
  for (std::uint64_t seed = 0; seed < kRuns; ++seed) {
    SurwStrategy surw(seed, plan_on_site_a({2, 2}));
    const Simulated run = simulate(surw, threads);
    std::vector<int> order;
    for (const rt::StepRecord &step : run.trace) {
      if (step.event.site == &kSiteA) {
        order.push_back(step.thread);
      }
    }
    ++orders[order];
  }
  EXPECT_EQ(orders.size(), 6U);
  for (const auto &[order, count] : orders) {
    EXPECT_NEAR(count / double{kRuns}, 1.0 / 6, 0.025) << ::testing::PrintToString(order);
  }
}

TEST(SurwTest, AStarvingThreadGivesWayOnce) {
  SurwStrategy surw(9, plan_on_site_a({1, 1}), /*starvation_steps=*/3);
  Decisions decisions(2);
  decisions.pending(0) = local();
  decisions.pending(1) = local();
  const int first = surw.next(decisions.at(0, -1, {0, 1})).value_or(-1);
  EXPECT_EQ(surw.next(decisions.at(3, first, {first, 1 - first}, 3)), 1 - first);
}

TEST(SurwProfileTest, FindsTheSharedObjectsTheirSitesAndEachThreadsCounts) {
  // Thread 0 spawns thread 2. memory[0] is written by 0 and read by 1 (shared); memory[1] is
  // read by both (not written: not shared); memory[2] is written by thread 2 only; the lock
  // memory[3] is used by threads 1 and 2 (shared).
  const std::vector<rt::StepRecord> steps = {
      {0, write(&memory[0], &kSiteA)},
      {1, read(&memory[0], &kSiteB)},
      {0, read(&memory[1], &kSiteC)},
      {1, read(&memory[1], &kSiteC)},
      {0, event(EventKind::Spawn)},
      {2, write(&memory[2], &kSiteD)},
      {2, event(EventKind::Lock, &memory[3], 0, &kSiteD)},
      {1, event(EventKind::Lock, &memory[3], 0, &kSiteC)},
      {0, write(&memory[0], &kSiteA)},
  };
  const std::vector<int> parents = {-1, -1, 0};
  const SurwProfile profile(steps, parents);
  ASSERT_EQ(profile.shared_objects(), 2U);
  EXPECT_EQ(profile.object_address(0), &memory[0]);
  EXPECT_EQ(profile.object_address(1), &memory[3]);

  const std::vector<std::size_t> first = {0};
  const SurwPlan counter = profile.plan(first);
  EXPECT_EQ(counter.sites.size(), 2U); // kSiteA, kSiteB
  EXPECT_FALSE(counter.every_event);
  // Thread 0: two at kSiteA; thread 1: one at kSiteB; thread 2: none.
  EXPECT_EQ(counter.weights, (std::vector<std::uint64_t>{2, 1, 0}));

  const std::vector<std::size_t> second = {1};
  const SurwPlan lock = profile.plan(second);
  EXPECT_EQ(lock.sites.size(), 2U); // kSiteC, kSiteD
  // Thread 1: kSiteC twice; thread 2: kSiteD twice, which thread 0, its parent, counts too.
  EXPECT_EQ(lock.weights, (std::vector<std::uint64_t>{3, 2, 2}));

  const SurwPlan every = profile.plan({});
  EXPECT_TRUE(every.every_event);
  EXPECT_EQ(every.weights, (std::vector<std::uint64_t>{6, 3, 2}));
}

TEST(SurwProfileTest, DrawsOneToFourSharedObjects) {
  std::vector<rt::StepRecord> steps;
  for (const std::uint64_t &word : memory) {
    steps.push_back({0, write(&word, &kSiteA)});
    steps.push_back({1, read(&word, &kSiteB)});
  }
  const std::vector<int> parents = {-1, -1};
  const SurwProfile profile(steps, parents);
  ASSERT_EQ(profile.shared_objects(), 8U);
  SplitMix random(3);
  for (int i = 0; i < 50; ++i) {
    const SurwPlan plan = profile.draw(random);
    EXPECT_FALSE(plan.every_event);
    EXPECT_EQ(plan.sites.size(), 2U);
  }
  const SurwProfile alone(std::vector<rt::StepRecord>{{0, write(&memory[0], &kSiteA)}}, parents);
  EXPECT_EQ(alone.shared_objects(), 0U);
  EXPECT_TRUE(alone.draw(random).every_event);
}

TEST(SurwSearchTest, ProfilesTheFirstExecutionThenSelectsInterestingEvents) {
  const std::vector<std::vector<Event>> threads = {
      {read(&memory[0], &kSiteA), write(&memory[0], &kSiteB), read(&memory[1], &kSiteC)},
      {read(&memory[0], &kSiteA), write(&memory[0], &kSiteB), local()}};
  SearchParams params;
  params.seed = 13;
  SurwSearch search(params);
  EXPECT_EQ(search.kind(), Search::surw);
  auto *first = dynamic_cast<SurwStrategy *>(search.next_strategy());
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->plan().profile);
  EXPECT_TRUE(first->plan().sites.empty());
  const Simulated run = simulate(*first, threads);
  EXPECT_EQ(first->steps().size(), 6U);
  ExecutionResult result;
  result.schedule = run.schedule;
  result.num_threads = 2;
  search.observe(result);
  ASSERT_NE(search.profile(), nullptr);
  EXPECT_EQ(search.profile()->shared_objects(), 1U); // memory[0]
  for (int execution = 0; execution < 5; ++execution) {
    auto *next = dynamic_cast<SurwStrategy *>(search.next_strategy());
    ASSERT_NE(next, nullptr);
    EXPECT_FALSE(next->plan().profile);
    const std::vector<const interlace_site *> expected = {std::min(&kSiteA, &kSiteB),
                                                          std::max(&kSiteA, &kSiteB)};
    EXPECT_EQ(next->plan().sites, expected);
    EXPECT_EQ(next->plan().weights, (std::vector<std::uint64_t>{2, 2}));
    simulate(*next, threads);
    search.observe(result);
  }
}

TEST(SurwTest, TheSameSeedGivesTheSameSchedule) {
  const std::vector<std::vector<Event>> threads = {
      {read(&memory[0], &kSiteA), local(), write(&memory[0], &kSiteA)},
      {local(), write(&memory[0], &kSiteA), local()},
      {read(&memory[0], &kSiteA), local(), local()}};
  SurwStrategy a(31, plan_on_site_a({2, 1, 1}));
  SurwStrategy b(31, plan_on_site_a({2, 1, 1}));
  const Simulated first = simulate(a, threads);
  EXPECT_EQ(simulate(b, threads).schedule, first.schedule);
  EXPECT_EQ(simulate(a, threads).schedule, first.schedule);
  EXPECT_EQ(first.schedule, (std::vector<int>{0, 1, 0, 0, 2, 2, 1, 2, 1}));
}

// ---------------------------------------------------------------------------------------
// All three

// Random decisions: random runnable subsets, random pending events, threads appearing mid-run.
TEST(SamplersTest, AlwaysAnswerACandidate) {
  const std::vector<std::function<std::unique_ptr<rt::Strategy>(std::uint64_t)>> makers = {
      [](std::uint64_t seed) { return std::make_unique<PctStrategy>(seed, 3, 40, 6); },
      [](std::uint64_t seed) { return std::make_unique<PosStrategy>(seed, 6); },
      [](std::uint64_t seed) {
        return std::make_unique<SurwStrategy>(seed, plan_on_site_a({3, 2, 1}), 6);
      }};
  const std::array<Event, 5> kinds = {read(&memory[0], &kSiteA), write(&memory[0], &kSiteB),
                                      local(), event(EventKind::Lock, &memory[1], 0),
                                      write(&memory[1], &kSiteA)};
  for (const auto &make : makers) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const std::unique_ptr<rt::Strategy> strategy = make(seed);
      strategy->begin();
      SplitMix random(seed + 1000);
      Decisions decisions(2);
      std::size_t threads = 2;
      int current = -1;
      std::uint32_t run_length = 0;
      for (std::uint64_t step = 0; step < 300; ++step) {
        if (threads < 6 && random.below(20) == 0) {
          decisions.add_thread();
          ++threads;
        }
        for (std::size_t thread = 0; thread < threads; ++thread) {
          decisions.pending(static_cast<int>(thread)) = kinds[random.below(kinds.size())];
        }
        std::vector<int> candidates;
        for (std::size_t i = 0; i < threads; ++i) {
          const int thread =
              static_cast<int>((static_cast<std::size_t>(std::max(current, 0)) + i) % threads);
          if (random.below(3) != 0) {
            candidates.push_back(thread);
          }
        }
        if (candidates.empty()) {
          candidates.push_back(static_cast<int>(random.below(threads)));
        }
        const int chosen =
            strategy->next(decisions.at(step, current, candidates, run_length)).value_or(-1);
        ASSERT_NE(std::ranges::find(candidates, chosen), candidates.end());
        run_length = chosen == current ? run_length + 1 : 1;
        current = chosen;
        std::vector<int> waiters(candidates.size() + 1);
        for (std::size_t i = 0; i < waiters.size(); ++i) {
          waiters[i] = static_cast<int>(i % threads);
        }
        rt::WakeDecision wake;
        wake.waiters = waiters;
        ASSERT_LT(strategy->choose_waiter(wake), waiters.size());
      }
    }
  }
}

TEST(SpinWatchTest, TakesTheSameStepAtThreeOfTheLastEightLooksForASpin) {
  SpinWatch watch;
  const Event spin = read(&memory[0], &kSiteA);
  EXPECT_FALSE(watch.spins(spin));
  watch.look(spin);
  EXPECT_FALSE(watch.spins(spin)); // two sightings
  watch.look(spin);
  EXPECT_TRUE(watch.spins(spin));                        // three
  EXPECT_FALSE(watch.spins(read(&memory[1], &kSiteA)));  // another address
  EXPECT_FALSE(watch.spins(write(&memory[0], &kSiteA))); // another kind
  EXPECT_FALSE(watch.spins(read(&memory[0], &kSiteB)));  // another site
  watch.reset();
  EXPECT_FALSE(watch.spins(spin));
  // Looks older than the last eight are forgotten.
  watch.look(spin);
  for (int i = 0; i < 7; ++i) {
    watch.look(read(&memory[2], &kSiteC));
  }
  watch.look(spin); // the first look is overwritten
  EXPECT_FALSE(watch.spins(spin));
  // Steps without an address or a site cannot be told apart: never a spin.
  watch.reset();
  watch.look(local());
  watch.look(local());
  EXPECT_FALSE(watch.spins(local()));
}

// Thread 0 spins on a flag (the same read, 600 times over) while thread 1 could run: each
// sampler takes it for a spinner by its third look (at most 3 * kSpinCheck steps into its run)
// and lets thread 1 run.
TEST(SamplersTest, ASpinnerGivesWayByItsThirdLook) {
  const std::vector<std::function<std::unique_ptr<rt::Strategy>(std::uint64_t)>> makers = {
      [](std::uint64_t seed) { return std::make_unique<PctStrategy>(seed, 3, 620); },
      [](std::uint64_t seed) { return std::make_unique<PosStrategy>(seed); },
      [](std::uint64_t seed) {
        return std::make_unique<SurwStrategy>(seed, plan_on_site_a({1, 1}));
      }};
  std::vector<std::vector<Event>> threads(2);
  threads[0].assign(600, read(&memory[0], &kSiteB));
  for (std::uint64_t &word : memory) {
    threads[1].push_back(write(&word));
  }
  for (const auto &make : makers) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const std::unique_ptr<rt::Strategy> strategy = make(seed);
      const Simulated run = simulate(*strategy, threads);
      const auto last_of_1 = std::ranges::find(std::ranges::reverse_view(run.schedule), 1);
      const auto contended = static_cast<std::size_t>(run.schedule.rend() - last_of_1);
      std::size_t longest = 0;
      std::size_t length = 0;
      for (std::size_t step = 0; step < contended; ++step) {
        length = run.schedule[step] == 0 ? length + 1 : 0;
        longest = std::max(longest, length);
      }
      EXPECT_LE(longest, 3 * SpinWatch::kSpinCheck) << "seed " << seed;
    }
  }
}

TEST(SamplersTest, NoSearchEverEndsByItself) {
  SearchParams params;
  params.seed = 1;
  for (const auto &search :
       {make_pct_search(params), make_pos_search(params), make_surw_search(params)}) {
    for (int execution = 0; execution < 100; ++execution) {
      rt::Strategy *strategy = search->next_strategy();
      ASSERT_NE(strategy, nullptr);
      const Simulated run = simulate(*strategy, independent_threads(2, 3));
      ExecutionResult result;
      result.schedule = run.schedule;
      result.num_threads = 2;
      search->observe(result);
    }
    EXPECT_FALSE(search->exhaustive());
  }
}

} // namespace
} // namespace interlace::detail
