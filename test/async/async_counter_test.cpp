// The seed's async counter, in C++ on Asio: a lost update across a co_await, forced by trace
// markers with AsyncTraceExecutor, and found by explore_async_interleavings, shrunk to one task
// switch and replayed by its token.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

namespace {

// As the Python original's AsyncCounter: its co_awaits call coroutines that never suspend.
struct AsyncCounter {
  int value = 0;

  asio::awaitable<int> get_value() { co_return value; }
  asio::awaitable<void> set_value(int new_value) {
    value = new_value;
    co_return;
  }
  asio::awaitable<void> increment() {
    // interlace: read_value
    const int temp = co_await get_value();
    // interlace: write_value
    co_await set_value(temp + 1);
  }
};

// The same lost update across a real suspension: the task goes back to its event loop.
struct PostingCounter {
  int value = 0;

  asio::awaitable<void> increment() {
    const int temp = value;
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    value = temp + 1;
  }
};

template <class Counter>
std::vector<std::function<asio::awaitable<void>(Counter &)>> two_increments() {
  return {[](Counter &c) { return c.increment(); }, [](Counter &c) { return c.increment(); }};
}

TEST(AsyncTraceExecutorTest, TheScheduleForcesTheLostUpdate) {
  for (int run = 0; run < 20; ++run) {
    AsyncCounter counter;
    interlace::AsyncTraceExecutor executor(interlace::Schedule{{"task1", "read_value"},
                                                               {"task2", "read_value"},
                                                               {"task1", "write_value"},
                                                               {"task2", "write_value"}});
    executor.run({{"task1", [&] { return counter.increment(); }},
                  {"task2", [&] { return counter.increment(); }}});
    ASSERT_EQ(counter.value, 1) << "run " << run;
  }
}

TEST(AsyncTraceExecutorTest, TheSerialScheduleKeepsBothIncrements) {
  AsyncCounter counter;
  interlace::AsyncTraceExecutor executor(interlace::Schedule{{"task1", "read_value"},
                                                             {"task1", "write_value"},
                                                             {"task2", "read_value"},
                                                             {"task2", "write_value"}});
  executor.run({{"task1", [&] { return counter.increment(); }},
                {"task2", [&] { return counter.increment(); }}});
  EXPECT_EQ(counter.value, 2);
}

TEST(AsyncTraceExecutorTest, AStepNamingNoTaskSaysWhichTasksThereAre) {
  AsyncCounter counter;
  interlace::AsyncTraceExecutor executor(
      interlace::Schedule{{"task1", "read_value"}, {"task3", "read_value"}});
  try {
    executor.run({{"task1", [&] { return counter.increment(); }},
                  {"task2", [&] { return counter.increment(); }}});
    FAIL() << "no ScheduleError";
  } catch (const interlace::ScheduleError &error) {
    EXPECT_NE(std::string(error.what())
                  .find("no task named 'task3' was run; the tasks are task1, "
                        "task2"),
              std::string::npos)
        << error.what();
  }
}

TEST(AsyncTraceExecutorTest, AMarkerTheTaskNeverReachesIsNamed) {
  AsyncCounter counter;
  interlace::AsyncTraceExecutor executor(
      interlace::Schedule{{"task1", "read_value"}, {"task1", "write_balance"}});
  try {
    executor.run({{"task1", [&] { return counter.increment(); }}});
    FAIL() << "no ScheduleError";
  } catch (const interlace::ScheduleError &error) {
    EXPECT_NE(std::string(error.what()).find("write_balance"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("task1"), std::string::npos) << error.what();
  }
}

TEST(AsyncTraceExecutorTest, AnExceptionInATaskIsRethrown) {
  interlace::AsyncTraceExecutor executor(interlace::Schedule{{"task1", "start"}});
  const auto failing = []() -> asio::awaitable<void> {
    // interlace: start
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    throw std::runtime_error("boom");
  };
  EXPECT_THROW(executor.run({{"task1", failing}}), std::runtime_error);
}

TEST(AsyncExploreTest, LostUpdateAcrossARealSuspensionIsFoundAndShrunk) {
  const auto result = interlace::explore_async_interleavings(
      [] { return PostingCounter{}; }, two_increments<PostingCounter>(),
      [](const PostingCounter &c) { return c.value == 2; }, {.max_attempts = 500, .seed = 7});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(
      result.explanation.find("lost update: task 0 and task 1 both read PostingCounter::value"),
      std::string::npos)
      << result.explanation;
}

TEST(AsyncExploreTest, EveryCoAwaitIsASwitchPointByDefault) {
  // The seed's counter suspends nowhere: only the co_await switch points show its race.
  const auto result = interlace::explore_async_interleavings(
      [] { return AsyncCounter{}; }, two_increments<AsyncCounter>(),
      [](const AsyncCounter &c) { return c.value == 2; }, {.max_attempts = 500, .seed = 3});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
}

TEST(AsyncExploreTest, RealSuspensionsOnlyFindNoRaceWhereNoTaskSuspends) {
  // Without markers and with switch points at real suspensions only, the seed's counter runs
  // each increment whole, as a single-threaded io_context would.
  struct Plain {
    int value = 0;
    asio::awaitable<int> get() { co_return value; }
    asio::awaitable<void> increment() { value = co_await get() + 1; }
  };
  const auto result = interlace::explore_async_interleavings(
      [] { return Plain{}; }, two_increments<Plain>(), [](const Plain &c) { return c.value == 2; },
      {.max_attempts = 300, .seed = 3, .every_co_await = false});
  EXPECT_TRUE(result.property_holds) << result.explanation;
}

// A token names the n-th exploration at its call site in a process, so the replay runs in a
// process of its own: this test binary again, on this test alone.
TEST(AsyncExploreTest, TheReplayTokenRerunsTheFailure) {
  const auto result = interlace::explore_async_interleavings(
      [] { return PostingCounter{}; }, two_increments<PostingCounter>(),
      [](const PostingCounter &c) { return c.value == 2; }, {.max_attempts = 500, .seed = 11});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.counterexample->value, 1);
  if (std::getenv("INTERLACE_REPLAY") != nullptr) {
    std::printf("%s\n", result.explanation.c_str());
    return;
  }
  std::array<char, 4096> self{};
  ASSERT_GT(readlink("/proc/self/exe", self.data(), self.size() - 1), 0);
  const std::string command =
      "INTERLACE_REPLAY=" + result.replay + " " + self.data() +
      " --gtest_filter=AsyncExploreTest.TheReplayTokenRerunsTheFailure 2>&1";
  FILE *child = popen(command.c_str(), "r");
  ASSERT_NE(child, nullptr);
  std::string output;
  std::array<char, 4096> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), child) != nullptr) {
    output += chunk.data();
  }
  EXPECT_EQ(pclose(child), 0) << output;
  EXPECT_NE(output.find("replayed from INTERLACE_REPLAY, 1 preemption"), std::string::npos)
      << output;
}

} // namespace
