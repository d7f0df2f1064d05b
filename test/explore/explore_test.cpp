// explore_interleavings: search, shrinking, determinism, replay, environment, errors.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include "explore_helpers.hpp"

namespace {

using interlace::testing::Counter;
using interlace::testing::explore_counter;
using interlace::testing::ScopedEnv;

TEST(ExploreTest, FindsTheLostUpdateAndShrinksItToOnePreemption) {
  auto result = explore_counter({.seed = 42});
  ASSERT_FALSE(result.property_holds);
  ASSERT_NE(result.counterexample, nullptr);
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1);
  EXPECT_EQ(result.seed, 42U);
  EXPECT_GE(result.num_explored, 1);
  EXPECT_LE(result.num_explored, 200);
  EXPECT_EQ(result.reproduction_attempts, 10);
  EXPECT_EQ(result.reproduction_successes, 10);
  EXPECT_FALSE(result.schedule.empty());
}

TEST(ExploreTest, ShrinksToOnePreemptionForEverySeed) {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    auto result = explore_counter({.seed = seed, .reproduce_on_failure = 0});
    ASSERT_FALSE(result.property_holds) << "seed " << seed;
    EXPECT_EQ(result.preemptions, 1) << "seed " << seed << "\n" << result.explanation;
    EXPECT_EQ(result.counterexample->value, 1);
  }
}

TEST(ExploreTest, TheSameSeedGivesTheSameResult) {
  auto first = explore_counter({.seed = 7});
  auto second = explore_counter({.seed = 7});
  EXPECT_EQ(first.num_explored, second.num_explored);
  EXPECT_EQ(first.unique_interleavings, second.unique_interleavings);
  EXPECT_EQ(first.schedule, second.schedule);
  EXPECT_EQ(first.preemptions, second.preemptions);
  // The tokens differ only in the exploration key: these are two explorations.
  auto schedule_part = [](const std::string &token) { return token.substr(token.rfind('-')); };
  EXPECT_EQ(schedule_part(first.replay), schedule_part(second.replay));
}

TEST(ExploreTest, AnUnsetSeedIsFreshAndReported) {
  auto first = explore_counter({.reproduce_on_failure = 0});
  auto second = explore_counter({.reproduce_on_failure = 0});
  EXPECT_NE(first.seed, second.seed);
  EXPECT_NE(first.explanation.find("seed " + std::to_string(first.seed)), std::string::npos);
}

TEST(ExploreTest, TheExplanationShowsTheInterleavedSourceLines) {
  auto result = explore_counter({.seed = 42});
  const std::string &text = result.explanation;
  EXPECT_NE(text.find("Race found after " + std::to_string(result.num_explored) + " schedule"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("shrunk to 1 preemption."), std::string::npos) << text;
  EXPECT_NE(text.find("explore_helpers.hpp:15   int t = value;"), std::string::npos) << text;
  EXPECT_NE(text.find("explore_helpers.hpp:16   value = t + 1;"), std::string::npos) << text;
  EXPECT_NE(text.find("thread 0 |"), std::string::npos);
  EXPECT_NE(text.find("thread 1 |"), std::string::npos);
  EXPECT_NE(text.find("reproduced 10/10 times"), std::string::npos);
  EXPECT_NE(text.find("replay: INTERLACE_REPLAY=" + result.replay), std::string::npos);
  EXPECT_NE(text.find("--gtest_filter=ExploreTest.TheExplanationShowsTheInterleavedSourceLines"),
            std::string::npos)
      << text;
}

TEST(ExploreTest, AMalformedReplayTokenIsRefused) {
  ScopedEnv replay("INTERLACE_REPLAY", "not-a-token");
  EXPECT_THROW(explore_counter({.seed = 42}), interlace::UsageError);
}

TEST(ExploreTest, AReplayTokenForAnotherExplorationIsIgnored) {
  auto original = explore_counter({.seed = 42});
  ScopedEnv replay("INTERLACE_REPLAY", original.replay);
  // A different call site: this exploration runs normally.
  auto other = interlace::explore_interleavings(
      [] { return Counter{}; }, {[](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 1; }, {.max_attempts = 5, .seed = 1});
  EXPECT_TRUE(other.property_holds);
  EXPECT_EQ(other.num_explored, 5);
}

TEST(ExploreTest, InterlaceSeedOverridesTheOption) {
  ScopedEnv seed("INTERLACE_SEED", "5");
  auto result = explore_counter({.seed = 42, .reproduce_on_failure = 0});
  EXPECT_EQ(result.seed, 5U);
}

TEST(ExploreTest, InterlaceMaxAttemptsOverridesTheOption) {
  ScopedEnv attempts("INTERLACE_MAX_ATTEMPTS", "7");
  struct Atomic {
    std::atomic<int> value{0};
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) { a.value++; }, [](Atomic &a) { a.value++; }},
      [](const Atomic &a) { return a.value == 2; }, {.max_attempts = 1000, .seed = 3});
  EXPECT_TRUE(result.property_holds);
  EXPECT_EQ(result.num_explored, 7);
}

TEST(ExploreTest, AMalformedEnvironmentVariableIsAUsageError) {
  ScopedEnv seed("INTERLACE_SEED", "forty-two");
  try {
    explore_counter({});
    FAIL() << "expected a UsageError";
  } catch (const interlace::UsageError &error) {
    EXPECT_NE(std::string(error.what()).find("INTERLACE_SEED='forty-two'"), std::string::npos);
  }
}

TEST(ExploreTest, AnExceptionEscapingAThreadIsAFailureWithItsMessage) {
  struct Account {
    int balance = 100;
  };
  auto result =
      interlace::explore_interleavings([] { return Account{}; },
                                       {[](Account &a) {
                                          if (a.balance < 80) {
                                            throw std::runtime_error("overdrawn");
                                          }
                                          a.balance -= 30;
                                        },
                                        [](Account &a) { a.balance -= 30; }},
                                       [](const Account &) { return true; }, {.seed = 11});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Exception after"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("thread 0 threw std::runtime_error: overdrawn"),
            std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.reproduction_successes, 10);
}

TEST(ExploreTest, ADeadlockIsAFailure) {
  struct Locks {
    std::mutex a;
    std::mutex b;
  };
  auto result = interlace::explore_interleavings([] { return std::make_unique<Locks>(); },
                                                 {[](Locks &l) {
                                                    std::lock_guard<std::mutex> first(l.a);
                                                    std::lock_guard<std::mutex> second(l.b);
                                                  },
                                                  [](Locks &l) {
                                                    std::lock_guard<std::mutex> first(l.b);
                                                    std::lock_guard<std::mutex> second(l.a);
                                                  }},
                                                 [](const Locks &) { return true; }, {.seed = 5});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Deadlock after"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("held by thread"), std::string::npos) << result.explanation;
  EXPECT_EQ(result.preemptions, 1);
  EXPECT_EQ(result.reproduction_successes, 10);
}

TEST(ExploreTest, ALivelockIsAFailure) {
  struct Flag {
    std::atomic<bool> set{false};
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Flag>(); }, {[](Flag &f) {
        while (!f.set.load()) {
        }
      }},
      [](const Flag &) { return true; }, {.seed = 5, .max_steps = 1000});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Livelock after"), std::string::npos) << result.explanation;
}

TEST(ExploreTest, AThreadStuckOutsideInterlaceIsATimeoutWithoutReplays) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[&fds](Counter &c) {
         char byte = 0;
         c.value = 1;
         (void)!read(fds[0], &byte, 1); // blocks in the kernel: no yield point
       },
       [](Counter &c) { c.increment(); }},
      [](const Counter &) { return true; },
      {.seed = 1, .stall_timeout = std::chrono::milliseconds(200)});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Timeout after 1 schedule"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("made no step for 200 ms"), std::string::npos);
  EXPECT_NE(result.explanation.find("not shrunk or replayed"), std::string::npos);
  EXPECT_EQ(result.reproduction_attempts, 0);
  ASSERT_EQ(write(fds[1], "x", 1), 1); // let the stuck thread go; it ends itself
  close(fds[0]);
  close(fds[1]);
}

TEST(ExploreTest, UniqueInterleavingsAreCounted) {
  struct Atomic {
    std::atomic<int> value{0};
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) { a.value++; }, [](Atomic &a) { a.value++; }},
      [](const Atomic &a) { return a.value == 2; }, {.max_attempts = 300, .seed = 3});
  EXPECT_TRUE(result.property_holds);
  EXPECT_EQ(result.num_explored, 300);
  EXPECT_GT(result.unique_interleavings, 2);
  EXPECT_LT(result.unique_interleavings, 300);
  EXPECT_EQ(result.counterexample, nullptr);
  EXPECT_NE(result.explanation.find(
                "No failure in 300 schedules (sampled, not exhaustive; seed 3, search automatic)"),
            std::string::npos)
      << result.explanation;
}

TEST(ExploreTest, ANonMovableStateCanBeReturnedByValue) {
  struct Guarded {
    std::mutex mutex;
    int value = 0;
  };
  auto result = interlace::explore_interleavings([] { return Guarded{}; },
                                                 {[](Guarded &g) {
                                                    std::lock_guard<std::mutex> lock(g.mutex);
                                                    ++g.value;
                                                  },
                                                  [](Guarded &g) {
                                                    std::lock_guard<std::mutex> lock(g.mutex);
                                                    ++g.value;
                                                  }},
                                                 [](const Guarded &g) { return g.value == 2; },
                                                 {.max_attempts = 100, .seed = 1});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(ExploreTest, ShrinkingCanBeTurnedOff) {
  auto result = explore_counter({.seed = 42, .shrink = false});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("not shrunk"), std::string::npos) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
}

TEST(ExploreTest, TheTimeoutStopsTheExploration) {
  struct Atomic {
    std::atomic<int> value{0};
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) { a.value++; }, [](Atomic &a) { a.value++; }},
      [](const Atomic &a) { return a.value == 2; },
      {.max_attempts = 100000000, .seed = 3, .timeout = std::chrono::milliseconds(100)});
  EXPECT_TRUE(result.property_holds);
  EXPECT_LT(result.num_explored, 100000000);
  EXPECT_NE(result.explanation.find("stopped at its timeout"), std::string::npos)
      << result.explanation;
}

TEST(ExploreTest, BadOptionsAreUsageErrors) {
  EXPECT_THROW(explore_counter({.max_attempts = 0}), interlace::UsageError);
  EXPECT_THROW(explore_counter({.max_ops = -1}), interlace::UsageError);
  EXPECT_THROW(explore_counter({.reproduce_on_failure = -1}), interlace::UsageError);
  EXPECT_THROW(explore_counter({.max_steps = 0}), interlace::UsageError);
  EXPECT_THROW(interlace::explore_interleavings([] { return Counter{}; }, {},
                                                [](const Counter &) { return true; }),
               interlace::UsageError);
  EXPECT_THROW(interlace::explore_interleavings([] { return Counter{}; },
                                                {std::function<void(Counter &)>()},
                                                [](const Counter &) { return true; }),
               interlace::UsageError);
}

TEST(ExploreTest, ANestedExplorationFailsTheOuterOneWithAClearMessage) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; }, {[](Counter &) { explore_counter({.max_attempts = 1}); }},
      [](const Counter &) { return true; }, {.max_attempts = 1, .seed = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("nested explorations are not supported"), std::string::npos)
      << result.explanation;
}

TEST(ExploreTest, AnExceptionFromTheInvariantPropagates) {
  EXPECT_THROW(interlace::explore_interleavings(
                   [] { return Counter{}; }, {[](Counter &c) { c.increment(); }},
                   [](const Counter &) -> bool { throw std::logic_error("bad invariant"); },
                   {.seed = 1}),
               std::logic_error);
}

} // namespace
