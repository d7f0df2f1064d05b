// The systematic search on async tasks (Search::dpor with explore_async_interleavings): each run
// of a task between two switch points is one transition, two runs are dependent when they touch
// a location in common and one of them writes it, and the search explores each order of the
// dependent runs once.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

#include <asio/experimental/channel.hpp>

namespace {

using interlace::Search;

asio::awaitable<void> yield_to_loop() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

template <class State> int complete_executions(const interlace::InterleavingResult<State> &result) {
  return result.num_explored - result.num_discarded;
}

struct PostingCounter {
  int value = 0;

  asio::awaitable<void> increment() {
    const int temp = value;
    co_await yield_to_loop();
    value = temp + 1;
  }
};

TEST(AsyncDporTest, TheLostUpdateIsFoundShrunkAndReproduced) {
  const auto result = interlace::explore_async_interleavings(
      [] { return PostingCounter{}; },
      {[](PostingCounter &c) { return c.increment(); },
       [](PostingCounter &c) { return c.increment(); }},
      [](const PostingCounter &c) { return c.value == 2; }, {.search = Search::dpor});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("search dpor"), std::string::npos) << result.explanation;
}

// Two tasks, two runs each, every run writing the same counter: the runs of one task keep their
// order, so there are C(4, 2) = 6 orders of the four runs, and each is a different class.
TEST(AsyncDporTest, DependentRunsAreExploredOnceForEachOrder) {
  struct Counter {
    int value = 0;
    asio::awaitable<void> twice() {
      ++value;
      co_await yield_to_loop();
      ++value;
    }
  };
  const auto result = interlace::explore_async_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { return c.twice(); }, [](Counter &c) { return c.twice(); }},
      [](const Counter &c) { return c.value == 4; }, {.search = Search::dpor});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive) << result.explanation;
  EXPECT_EQ(complete_executions(result), 6) << result.explanation;
}

// Tasks that share nothing: every order of their runs is the same, and one execution shows it.
TEST(AsyncDporTest, IndependentTasksTakeOneExecution) {
  struct Two {
    int left = 0;
    int right = 0;
  };
  const auto bump = [](int &slot) -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      ++slot;
      co_await yield_to_loop();
    }
  };
  const auto result = interlace::explore_async_interleavings(
      [] { return Two{}; },
      {[&](Two &s) { return bump(s.left); }, [&](Two &s) { return bump(s.right); }},
      [](const Two &s) { return s.left == 3 && s.right == 3; }, {.search = Search::dpor});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive) << result.explanation;
  EXPECT_EQ(complete_executions(result), 1) << result.explanation;
}

// The check-then-act cache across a co_await, and the same cache behind an async mutex made of
// a channel: the first is found, the second holds for every order of the tasks' runs.
struct Cache {
  std::optional<int> entry;
  int loads = 0;

  asio::awaitable<int> get() {
    if (entry) {
      co_return *entry;
    }
    ++loads;
    co_await yield_to_loop(); // the backend answers later
    entry = 10;
    co_return *entry;
  }
};

using Channel = asio::experimental::channel<void(asio::error_code, int)>;

struct GuardedCache {
  Cache cache;
  Channel slot{interlace::async_executor(), 1}; // holding its one token is holding the lock

  asio::awaitable<int> get() {
    co_await slot.async_send(asio::error_code{}, 0, asio::use_awaitable);
    const int value = co_await cache.get();
    slot.try_receive([](asio::error_code, int) {});
    co_return value;
  }
};

TEST(AsyncDporTest, TheCheckThenActCacheIsFound) {
  const auto result = interlace::explore_async_interleavings(
      [] { return Cache{}; },
      {[](Cache &c) -> asio::awaitable<void> { co_await c.get(); },
       [](Cache &c) -> asio::awaitable<void> { co_await c.get(); }},
      [](const Cache &c) { return c.loads == 1; }, {.search = Search::dpor});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->loads, 2);
  EXPECT_NE(result.explanation.find("check-then-act across a co_await"), std::string::npos)
      << result.explanation;
}

// A program with several outcomes, each task logging what it saw: the systematic search must
// see every outcome that thousands of sampled schedules see (a dependence it missed would skip
// the orders that produce some of them), and finish.
struct Log {
  std::string events;
  Channel channel{interlace::async_executor(), 1};
};

using Task = std::function<asio::awaitable<void>(Log &)>;

std::set<std::string> outcomes(const std::vector<Task> &tasks, Search search, int attempts,
                               bool *exhaustive) {
  std::set<std::string> seen;
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Log>(); }, tasks,
      [&seen](const Log &log) {
        seen.insert(log.events);
        return true;
      },
      {.max_attempts = attempts, .seed = 9, .search = search});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  *exhaustive = result.exhaustive;
  if (std::getenv("INTERLACE_TEST_VERBOSE") != nullptr) {
    std::printf("%s\n", result.explanation.c_str());
  }
  return seen;
}

std::string describe(const std::set<std::string> &outcomes) {
  std::string text;
  for (const std::string &outcome : outcomes) {
    text += (text.empty() ? "" : ", ") + outcome;
  }
  return text;
}

void expect_every_outcome(const std::vector<Task> &tasks) {
  bool dpor_exhaustive = false;
  bool sampled_exhaustive = false;
  const std::set<std::string> systematic = outcomes(tasks, Search::dpor, 5000, &dpor_exhaustive);
  const std::set<std::string> sampled = outcomes(tasks, Search::random, 3000, &sampled_exhaustive);
  ASSERT_TRUE(dpor_exhaustive);
  EXPECT_GT(sampled.size(), 1U);
  for (const std::string &outcome : sampled) {
    EXPECT_TRUE(systematic.contains(outcome))
        << "dpor never saw the outcome " << outcome << " (it saw " << describe(systematic) << ")";
  }
}

TEST(AsyncDporTest, EveryOutcomeOfSendersAndAReceiverOnAChannel) {
  const auto sender = [](char name) {
    return [name](Log &log) -> asio::awaitable<void> {
      co_await log.channel.async_send(asio::error_code{}, name, asio::use_awaitable);
      log.events += static_cast<char>(name + 'a' - 'A'); // sent
    };
  };
  const Task receiver = [](Log &log) -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      log.events += static_cast<char>(co_await log.channel.async_receive(asio::use_awaitable));
    }
  };
  expect_every_outcome({sender('A'), sender('B'), receiver});
}

// With timers the search samples: which handler takes a due timer is up to Asio's reactor, and
// the search has not been shown to cover those orders (docs/async.md).
TEST(AsyncDporTest, WithTimersTheVerdictIsSampled) {
  using namespace std::chrono_literals;
  const Task sleeper = [](Log &log) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 10ms);
    co_await timer.async_wait(asio::use_awaitable);
    log.events += 'A';
  };
  const Task poster = [](Log &log) -> asio::awaitable<void> {
    log.events += 'p';
    co_await yield_to_loop();
    log.events += 'q';
  };
  bool exhaustive = true;
  const std::set<std::string> seen = outcomes({sleeper, poster}, Search::dpor, 5000, &exhaustive);
  EXPECT_FALSE(exhaustive);
  EXPECT_GT(seen.size(), 1U);
}

TEST(AsyncDporTest, TheCacheBehindAnAsyncMutexHoldsForEveryOrder) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<GuardedCache>(); },
      {[](GuardedCache &c) -> asio::awaitable<void> { co_await c.get(); },
       [](GuardedCache &c) -> asio::awaitable<void> { co_await c.get(); }},
      [](const GuardedCache &c) { return c.cache.loads == 1; }, {.search = Search::dpor});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive) << result.explanation;
  // Either task may take the lock first, and the other's runs fall in between in several ways.
  EXPECT_GT(complete_executions(result), 1) << result.explanation;
}

} // namespace
