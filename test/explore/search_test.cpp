// The searches behind explore_interleavings: each finds, shrinks and replays; the same seed
// gives the same result; the default search reaches races deep in an execution. (Replay tokens
// of every search: replay_test.cpp.)
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "explore_helpers.hpp"

namespace interlace::testing {
namespace {

const std::vector<Search> kSamplers = {Search::automatic, Search::random, Search::pct,
                                       Search::pos,       Search::surw,   Search::dpor};

class EverySearchTest : public ::testing::TestWithParam<Search> {};

TEST_P(EverySearchTest, FindsTheLostUpdateShrinksItToOnePreemptionAndReproducesIt) {
  const Search search = GetParam();
  auto result = explore_counter({.max_attempts = 2000, .seed = 42, .search = search});
  ASSERT_FALSE(result.property_holds) << to_string(search);
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  if (search != Search::automatic) {
    EXPECT_EQ(result.search, search);
  }
  EXPECT_NE(result.explanation.find(std::string("search ") +
                                    (search == Search::automatic ? "automatic: " : "") +
                                    to_string(result.search)),
            std::string::npos)
      << result.explanation;
}

TEST_P(EverySearchTest, TheSameSeedGivesTheSameResultBitForBit) {
  const Search search = GetParam();
  auto first = explore_counter({.max_attempts = 2000, .seed = 7, .search = search});
  auto second = explore_counter({.max_attempts = 2000, .seed = 7, .search = search});
  EXPECT_EQ(first.num_explored, second.num_explored);
  EXPECT_EQ(first.unique_interleavings, second.unique_interleavings);
  EXPECT_EQ(first.schedule, second.schedule);
  EXPECT_EQ(first.search, second.search);
}

TEST_P(EverySearchTest, ACorrectProgramHoldsWithoutFalsePositives) {
  struct Locked {
    std::mutex mutex;
    int value = 0;
    void increment() {
      const std::lock_guard<std::mutex> guard(mutex);
      value = value + 1;
    }
  };
  auto result =
      explore_interleavings([] { return std::make_unique<Locked>(); },
                            {[](Locked &l) { l.increment(); }, [](Locked &l) { l.increment(); },
                             [](Locked &l) { l.increment(); }},
                            [](const Locked &l) { return l.value == 3; },
                            {.max_attempts = 300, .seed = 3, .search = GetParam()});
  EXPECT_INTERLEAVINGS_HOLD(result);
  // The samplers run every attempt; the systematic search stops once it has seen the 3! orders
  // of the critical sections.
  EXPECT_EQ(result.num_explored, GetParam() == Search::dpor ? 6 : 300);
  EXPECT_EQ(result.exhaustive, GetParam() == Search::dpor);
}

INSTANTIATE_TEST_SUITE_P(Samplers, EverySearchTest, ::testing::ValuesIn(kSamplers),
                         [](const ::testing::TestParamInfo<Search> &info) {
                           return std::string(to_string(info.param));
                         });

// A lost update preceded by `prefix` instrumented steps in each thread: before searches had
// no horizon, nothing after the first max_ops steps could be preempted.
struct DeepCounter {
  int prefix;
  std::vector<int> own[2];
  int shared = 0;
  explicit DeepCounter(int steps) : prefix(steps) {
    own[0].assign(static_cast<std::size_t>(steps), 0);
    own[1].assign(static_cast<std::size_t>(steps), 0);
  }
  void run(int me) {
    for (int i = 0; i < prefix; ++i) {
      own[me][static_cast<std::size_t>(i)] = i;
    }
    const int seen = shared;
    shared = seen + 1;
  }
};

TEST(DeepRaceTest, TheDefaultSearchFindsALostUpdateAfter160StepsInEverySeed) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto result =
        explore_interleavings([] { return std::make_unique<DeepCounter>(160); },
                              {[](DeepCounter &c) { c.run(0); }, [](DeepCounter &c) { c.run(1); }},
                              [](const DeepCounter &c) { return c.shared == 2; },
                              {.max_attempts = 2000, .seed = seed, .reproduce_on_failure = 1});
    ASSERT_FALSE(result.property_holds) << "seed " << seed << ": " << result.explanation;
    EXPECT_EQ(result.preemptions, 1) << "seed " << seed << ": " << result.explanation;
  }
}

// A consumer that waits once, without a predicate loop, for an item a producer may not have
// pushed yet: only a spurious wakeup makes it find the queue empty.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable ready;
  bool full = false;
  bool saw_empty = false;
  void put() {
    const std::lock_guard<std::mutex> guard(mutex);
    full = true;
    ready.notify_one();
  }
  void take() {
    std::unique_lock<std::mutex> lock(mutex);
    if (!full) {
      ready.wait(lock);
    }
    saw_empty = !full;
  }
};

auto explore_mailbox(bool spurious) {
  return explore_interleavings([] { return std::make_unique<Mailbox>(); },
                               {[](Mailbox &m) { m.take(); }, [](Mailbox &m) { m.put(); }},
                               [](const Mailbox &m) { return !m.saw_empty; },
                               {.max_attempts = 500, .seed = 5, .spurious_wakeups = spurious});
}

TEST(SpuriousWakeupsTest, AWaitWithoutAPredicateLoopHoldsWithoutThem) {
  auto result = explore_mailbox(false);
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(SpuriousWakeupsTest, AreFoundWhenEnabledAndReplay) {
  auto result = explore_mailbox(true);
  ASSERT_FALSE(result.property_holds);
  EXPECT_TRUE(result.counterexample->saw_empty);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
}

TEST(SearchChoiceTest, TheSystematicSearchFindsTheLostUpdate) {
  const auto result = explore_counter({.seed = 1, .search = Search::dpor});
  EXPECT_FALSE(result.property_holds);
  EXPECT_FALSE(result.exhaustive);
  EXPECT_EQ(result.search, Search::dpor);
}

TEST(SearchChoiceTest, InterlaceSearchOverridesTheOption) {
  const ScopedEnv search("INTERLACE_SEARCH", "pct");
  auto result = explore_counter({.seed = 42, .search = Search::random});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.search, Search::pct);
}

TEST(SearchChoiceTest, AnUnknownSearchNameIsAUsageErrorListingTheKnownOnes) {
  const ScopedEnv search("INTERLACE_SEARCH", "bfs");
  try {
    explore_counter({.seed = 42});
    FAIL() << "expected a UsageError";
  } catch (const UsageError &error) {
    EXPECT_NE(std::string(error.what())
                  .find("INTERLACE_SEARCH='bfs' names no search; use one of "
                        "automatic, random, pct, pos, surw, dpor"),
              std::string::npos)
        << error.what();
  }
}

} // namespace
} // namespace interlace::testing
