// explore_interleavings on real code (issue 11): explorations from several threads, numbers
// from the environment and from tokens, long executions, GoogleTest assertions in threads.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "explore_helpers.hpp"

namespace {

using interlace::testing::Counter;
using interlace::testing::explore_counter;
using interlace::testing::ScopedEnv;

using Clock = std::chrono::steady_clock;

struct Atomic {
  std::atomic<int> value{0};
};

auto explore_atomic(interlace::ExploreOptions options) {
  return interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) { a.value++; }, [](Atomic &a) { a.value++; }},
      [](const Atomic &a) { return a.value == 2; }, options);
}

// Runs this test binary again with `environment`, only the test `test`; its output and status.
struct ChildRun {
  int status = -1;
  std::string output;
};

ChildRun run_self(const std::string &environment, const std::string &test) {
  std::array<char, 4096> buffer{};
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (length <= 0) {
    return {};
  }
  const std::string command = environment + " " +
                              std::string(buffer.data(), static_cast<std::size_t>(length)) +
                              " --gtest_filter=" + test + " 2>&1";
  ChildRun run;
  FILE *pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    run.output += buffer.data();
  }
  run.status = pclose(pipe);
  return run;
}

bool in_child() { return std::getenv("INTERLACE_REPLAY") != nullptr; }

// The message of the UsageError `call` throws, or "" (with a test failure) if it throws none.
template <class Call> std::string usage_error(Call call) {
  try {
    call();
  } catch (const interlace::UsageError &error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an interlace::UsageError";
  return "";
}

// --- 1. Explorations from several threads at once ---------------------------------------

TEST(ConcurrentExplorationsTest, ExplorationsFromSeveralThreadsRunOneAfterAnother) {
  constexpr int kThreads = 4;
  for (int round = 0; round < 5; ++round) {
    std::array<interlace::InterleavingResult<Counter>, kThreads> results;
    std::array<std::exception_ptr, kThreads> errors;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        const auto index = static_cast<std::size_t>(i);
        try {
          results[index] = explore_counter({.seed = 42U + index, .reproduce_on_failure = 3});
        } catch (...) {
          errors[index] = std::current_exception();
        }
      });
    }
    for (std::thread &thread : threads) {
      thread.join();
    }
    for (std::size_t i = 0; i < kThreads; ++i) {
      ASSERT_EQ(errors[i], nullptr) << "exploration " << i << " threw";
      ASSERT_FALSE(results[i].property_holds) << results[i].explanation;
      EXPECT_EQ(results[i].preemptions, 1) << results[i].explanation;
      EXPECT_EQ(results[i].counterexample->value, 1);
      EXPECT_EQ(results[i].reproduction_successes, 3);
    }
  }
}

TEST(ConcurrentExplorationsTest, ATraceExecutorWaitsForARunningExploration) {
  std::thread explorer([] {
    for (int i = 0; i < 5; ++i) {
      explore_counter({.seed = 1, .reproduce_on_failure = 1});
    }
  });
  for (int i = 0; i < 20; ++i) {
    Counter counter;
    interlace::TraceExecutor executor(interlace::Schedule{{"a", "read"}, {"b", "read"}});
    executor.run("a", [&] {
      INTERLACE_MARKER(read);
      counter.increment();
    });
    executor.run("b", [&] {
      INTERLACE_MARKER(read);
      counter.increment();
    });
    executor.wait();
    EXPECT_EQ(counter.value, 2);
  }
  explorer.join();
}

TEST(ConcurrentExplorationsTest, ANestedExplorationFromAThreadIsStillAUsageError) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; }, {[](Counter &) {
        std::thread inner([] { explore_counter({.max_attempts = 1}); });
        inner.join();
      }},
      [](const Counter &) { return true; }, {.max_attempts = 1, .seed = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("nested explorations are not supported"), std::string::npos)
      << result.explanation;
}

// --- 2. Numbers from input bound nothing that is allocated up front ----------------------

TEST(BoundedInputTest, IntMaxAttemptsRunUntilTheTimeout) {
  auto result = explore_atomic(
      {.max_attempts = INT_MAX, .seed = 3, .timeout = std::chrono::milliseconds(300)});
  EXPECT_TRUE(result.property_holds);
  EXPECT_GT(result.num_explored, 0);
  EXPECT_NE(result.explanation.find("stopped at its timeout"), std::string::npos)
      << result.explanation;
}

TEST(BoundedInputTest, IntMaxAttemptsFromTheEnvironmentRunUntilTheTimeout) {
  ScopedEnv attempts("INTERLACE_MAX_ATTEMPTS", "2147483647");
  auto result = explore_atomic({.seed = 3, .timeout = std::chrono::milliseconds(300)});
  EXPECT_TRUE(result.property_holds);
  EXPECT_NE(result.explanation.find("of 2147483647 schedules"), std::string::npos)
      << result.explanation;
}

TEST(BoundedInputTest, AttemptsBeyondOneRapidCheckRunFindTheRaceAsBefore) {
  // Large attempt counts are split into several RapidCheck runs; the first is unchanged.
  auto small = explore_counter({.seed = 9, .reproduce_on_failure = 0});
  auto large = explore_counter({.max_attempts = 50'000'000, .seed = 9, .reproduce_on_failure = 0});
  ASSERT_FALSE(large.property_holds);
  EXPECT_EQ(small.num_explored, large.num_explored);
  EXPECT_EQ(small.schedule, large.schedule);
}

// A token's schedule may not be longer than an execution may be: the child process replays
// the original token's header with a schedule of INT_MAX steps.
TEST(BoundedInputTest, AReplayScheduleLongerThanMaxStepsIsRefused) {
  if (in_child()) {
    const auto start = Clock::now();
    const std::string message = usage_error([] { explore_counter({.seed = 42}); });
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
    std::printf("child: %s\n", message.c_str());
    return;
  }
  const auto original = explore_counter({.seed = 42, .reproduce_on_failure = 0});
  const std::string token =
      original.replay.substr(0, original.replay.rfind('-') + 1) + "0.2147483647";
  const ChildRun child = run_self("INTERLACE_REPLAY=" + token,
                                  "BoundedInputTest.AReplayScheduleLongerThanMaxStepsIsRefused");
  EXPECT_EQ(child.status, 0) << child.output;
  EXPECT_NE(child.output.find("2147483647 steps"), std::string::npos) << child.output;
  EXPECT_NE(child.output.find("ExploreOptions::max_steps (100000)"), std::string::npos)
      << child.output;
}

TEST(BoundedInputTest, AReplayTokenFromAnotherBuildAllocatesNothing) {
  ScopedEnv replay("INTERLACE_REPLAY", "il1-0-0-1-0.2147483647");
  const auto start = Clock::now();
  const std::string message = usage_error([] { explore_counter({.seed = 42}); });
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(message.find("recorded by a different build"), std::string::npos) << message;
}

// --- 3. Seeds and tokens are parsed strictly ---------------------------------------------

TEST(StrictParsingTest, SeedsAreDecimalOrHex) {
  {
    ScopedEnv seed("INTERLACE_SEED", "052");
    EXPECT_EQ(explore_atomic({.max_attempts = 1}).seed, 52U);
  }
  {
    ScopedEnv seed("INTERLACE_SEED", "0x2a");
    EXPECT_EQ(explore_atomic({.max_attempts = 1}).seed, 42U);
  }
  {
    ScopedEnv seed("INTERLACE_SEED", "18446744073709551615");
    EXPECT_EQ(explore_atomic({.max_attempts = 1}).seed, 18446744073709551615U);
  }
}

TEST(StrictParsingTest, SignsSpacesAndOtherBasesAreRefused) {
  for (const char *text :
       {" -1", "-1", "+5", " 5", "5 ", "0x", "0x-1", "1e3", "18446744073709551616", "0b101", ""}) {
    if (*text == '\0') {
      continue; // an empty variable is unset
    }
    ScopedEnv seed("INTERLACE_SEED", text);
    const std::string message = usage_error([] { explore_atomic({.max_attempts = 1}); });
    EXPECT_NE(message.find("INTERLACE_SEED='" + std::string(text) + "'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("decimal"), std::string::npos) << message;
  }
  for (const char *text : {" 7", "-7", "2147483648", "0x"}) {
    ScopedEnv attempts("INTERLACE_MAX_ATTEMPTS", text);
    const std::string message = usage_error([] { explore_atomic({.max_attempts = 1}); });
    EXPECT_NE(message.find("INTERLACE_MAX_ATTEMPTS='" + std::string(text) + "'"), std::string::npos)
        << message;
  }
}

// Ids at or above the thread count are the threads that the exploration's threads start; an
// id no execution can have is refused before anything runs.
TEST(StrictParsingTest, ATokenNamingAThreadNoExecutionCanHaveIsRefused) {
  const auto original = explore_counter({.seed = 42, .reproduce_on_failure = 0});
  std::string token = original.replay.substr(0, original.replay.rfind('-') + 1) + "0.1_70000.1";
  ScopedEnv replay("INTERLACE_REPLAY", token);
  const std::string message = usage_error([] { explore_counter({.seed = 42}); });
  EXPECT_NE(message.find("names thread 70000, more than an execution has"), std::string::npos)
      << message;
}

// --- 4. Long legitimate executions ---------------------------------------------------------

TEST(LongExecutionsTest, TheLivelockReportNamesTheStepCapAndHowToRaiseIt) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) {
         for (int i = 0; i < 100000; ++i) {
           a.value++;
         }
       },
       [](Atomic &a) {
         for (int i = 0; i < 100000; ++i) {
           a.value++;
         }
       }},
      [](const Atomic &) { return true; },
      {.seed = 1, .reproduce_on_failure = 1, .shrink = false, .max_steps = 5000});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Livelock after"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("step cap of 5000 steps"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("ExploreOptions::max_steps"), std::string::npos)
      << result.explanation;
}

// A lost update in executions that each take about half a second of uninstrumented work (counted,
// not timed: clocks read the execution's modelled time).
struct SlowCounter {
  int value = 0;
  INTERLACE_NO_INSTRUMENT static void work() {
    for (volatile long i = 0; i < 150000000; i = i + 1) {
    }
  }
  void increment() {
    work();
    const int seen = value;
    value = seen + 1;
  }
};

TEST(LongExecutionsTest, ShrinkingHasABudgetOfItsOwn) {
  // Shrinking tries dozens of schedules: at half a second each, it would take most of the
  // timeout.
  const auto start = Clock::now();
  auto result = interlace::explore_interleavings(
      [] { return SlowCounter{}; },
      {[](SlowCounter &c) { c.increment(); }, [](SlowCounter &c) { c.increment(); }},
      [](const SlowCounter &c) { return c.value == 2; },
      {.seed = 1,
       .reproduce_on_failure = 1,
       .timeout = std::chrono::seconds(2),
       .search = interlace::Search::random});
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_NE(result.explanation.find("shrinking stopped after"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("a quarter of ExploreOptions::timeout"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("the schedule may not be minimal"), std::string::npos)
      << result.explanation;
  // The search takes three executions, shrinking a quarter of the timeout (half a second; to
  // the end it takes more), the replay one: without a budget of its own,
  // shrinking alone would take the rest of the timeout.
  EXPECT_LT(elapsed, std::chrono::seconds(4));
}

TEST(LongExecutionsTest, TheShrinkBudgetCountsExecutions) {
  auto result = explore_counter({.seed = 42, .max_shrinks = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("shrinking stopped after 1 attempt (ExploreOptions::"
                                    "max_shrinks)"),
            std::string::npos)
      << result.explanation;
}

// --- 5. GoogleTest assertions inside thread bodies ----------------------------------------

auto explore_with_expect(interlace::ExploreOptions options) {
  return interlace::explore_interleavings([] { return Counter{}; },
                                          {[](Counter &c) { c.increment(); },
                                           [](Counter &c) {
                                             const int before = c.value;
                                             EXPECT_LE(before, 0) << "thread 1 ran after thread 0";
                                           }},
                                          [](const Counter &) { return true; }, options);
}

TEST(GTestAssertionsTest, AFailedExpectInAThreadFailsThatExecutionOnce) {
  auto result = explore_with_expect({.seed = 3});
  EXPECT_FALSE(::testing::Test::HasFailure()) << "an execution's failure leaked into the test";
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("thread 1 failed a GoogleTest assertion at robust_test.cpp:"),
            std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("Expected: (before) <= (0)"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("thread 1 ran after thread 0"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.preemptions, 0) << result.explanation;
  EXPECT_EQ(result.reproduction_successes, 10);
  EXPECT_FALSE(result.replay.empty());
  // Reported once, by the helper, with the explanation.
  EXPECT_NONFATAL_FAILURE(EXPECT_INTERLEAVINGS_HOLD(result), "failed a GoogleTest assertion");
}

TEST(GTestAssertionsTest, AFailedAssertInAThreadFailsTheExecution) {
  auto result = interlace::explore_interleavings([] { return Counter{}; },
                                                 {[](Counter &c) { c.increment(); },
                                                  [](Counter &c) {
                                                    ASSERT_EQ(c.value, 0);
                                                    c.value = 10;
                                                  }},
                                                 [](const Counter &) { return true; }, {.seed = 3});
  EXPECT_FALSE(::testing::Test::HasFailure());
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("thread 1 failed a GoogleTest assertion"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1); // the ASSERT returned before the write
}

TEST(GTestAssertionsTest, AFailedExpectInTheInvariantFailsTheExecution) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) {
        EXPECT_EQ(c.value, 2);
        return true;
      },
      {.seed = 42});
  EXPECT_FALSE(::testing::Test::HasFailure());
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("the invariant failed a GoogleTest assertion"),
            std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
}

TEST(GTestAssertionsTest, FailuresOutsideTheExecutionsAreTheTestsOwn) {
  auto result = explore_atomic({.max_attempts = 10, .seed = 1});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_NONFATAL_FAILURE(ADD_FAILURE() << "after the exploration", "after the exploration");
  EXPECT_FALSE(::testing::Test::HasFailure());
}

// The printed rerun command replays the failing schedule: run this test again as a child
// process with the token.
TEST(GTestAssertionsTest, TheReplayTokenRerunsTheFailingSchedule) {
  auto result = explore_with_expect({.seed = 3});
  if (in_child()) {
    std::printf("child: %s\n", result.explanation.c_str());
    EXPECT_RACE_FOUND(result);
    return;
  }
  ASSERT_FALSE(result.property_holds);
  const ChildRun child = run_self("INTERLACE_REPLAY=" + result.replay,
                                  "GTestAssertionsTest.TheReplayTokenRerunsTheFailingSchedule");
  EXPECT_EQ(child.status, 0) << child.output;
  EXPECT_NE(child.output.find("replayed from INTERLACE_REPLAY"), std::string::npos) << child.output;
  EXPECT_NE(child.output.find("thread 1 failed a GoogleTest assertion"), std::string::npos)
      << child.output;
}

} // namespace
