// Races people ship in Asio coroutine code: a check-then-act cache across a co_await (and the
// same cache behind an async mutex made of a channel), a timeout racing a completion on the
// execution's clock, and tasks that wait for each other.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

#include <asio/experimental/channel.hpp>

namespace {

using namespace std::chrono_literals;
using Channel = asio::experimental::channel<void(asio::error_code, int)>;

asio::awaitable<void> yield_to_loop() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// An async mutex: a channel with room for one token. Sending the token locks (it waits while
// another task holds it); taking it back unlocks.
class AsyncMutex {
public:
  explicit AsyncMutex(const asio::any_io_executor &executor) : slot_(executor, 1) {}
  asio::awaitable<void> lock() {
    co_await slot_.async_send(asio::error_code{}, 0, asio::use_awaitable);
  }
  void unlock() {
    slot_.try_receive([](asio::error_code, int) {});
  }

private:
  Channel slot_;
};

// A cache of a few keys. (A std::map would do as well for finding the race, but its
// rebalancing runs in libstdc++.so, which is not instrumented, so the explanation could not
// show the other task's change to it.)
struct Cache {
  std::array<std::optional<int>, 4> entries;
  int loads = 0; // how often the slow backend was asked

  asio::awaitable<int> load(int key) {
    ++loads;
    co_await yield_to_loop(); // the backend's answer takes a while
    co_return key * 10;
  }

  asio::awaitable<int> get(int key) {
    if (entries[key]) {
      co_return *entries[key];
    }
    const int value = co_await load(key);
    entries[key] = value;
    co_return value;
  }
};

struct GuardedCache {
  Cache cache;
  AsyncMutex mutex{interlace::async_executor()};

  asio::awaitable<int> get(int key) {
    co_await mutex.lock();
    const int value = co_await cache.get(key);
    mutex.unlock();
    co_return value;
  }
};

TEST(AsyncRacesTest, CheckThenActCacheAcrossACoAwaitLoadsTwice) {
  const auto result = interlace::explore_async_interleavings(
      [] { return Cache{}; },
      {[](Cache &c) -> asio::awaitable<void> { co_await c.get(1); },
       [](Cache &c) -> asio::awaitable<void> { co_await c.get(1); }},
      [](const Cache &c) { return c.loads == 1; }, {.max_attempts = 500, .seed = 5});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->loads, 2);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
  // Both lines named: the check, then the co_await it was stale across, then the act.
  EXPECT_NE(result.explanation.find("check-then-act across a co_await"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("if (entries[key])"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("co_await load(key)"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("entries[key] = value"), std::string::npos)
      << result.explanation;
}

TEST(AsyncRacesTest, TheCacheBehindAnAsyncMutexHoldsOverAThousandSchedules) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<GuardedCache>(); },
      {[](GuardedCache &c) -> asio::awaitable<void> { co_await c.get(1); },
       [](GuardedCache &c) -> asio::awaitable<void> { co_await c.get(1); }},
      [](const GuardedCache &c) { return c.cache.loads == 1; }, {.max_attempts = 1000, .seed = 5});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.num_explored, 1000);
  EXPECT_GT(result.unique_interleavings, 1);
}

// A request with a timeout: the client gives up on it when its timer fires; the reply handler
// assumes the request is still there.
struct Rpc {
  std::map<int, std::string> pending;
  Channel requests{interlace::async_executor(), 1};
  std::string reply;
};

asio::awaitable<void> client(Rpc &rpc) {
  rpc.pending[1] = "sent";
  co_await rpc.requests.async_send(asio::error_code{}, 0, asio::use_awaitable);
  asio::steady_timer timeout(co_await asio::this_coro::executor, 100ms);
  co_await timeout.async_wait(asio::use_awaitable);
  rpc.pending.erase(1); // timed out, or answered: either way the request is over
}

asio::awaitable<void> server(Rpc &rpc) {
  co_await rpc.requests.async_receive(asio::use_awaitable);
  co_await yield_to_loop();              // the reply is on its way
  rpc.reply = rpc.pending.at(1) + " ok"; // throws if the client gave up first
}

TEST(AsyncRacesTest, ATimeoutRacingTheReplyIsFoundOnTheExecutionsClock) {
  const auto started = std::chrono::steady_clock::now();
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Rpc>(); }, {client, server},
      [](const Rpc &rpc) { return rpc.reply == "sent ok"; }, {.max_attempts = 500, .seed = 2});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_NE(result.explanation.find("std::out_of_range"), std::string::npos) << result.explanation;
  // Tasks are named by the coroutine each runs, with its line.
  EXPECT_NE(result.explanation.find("task 0 runs client (async_races_test.cpp:"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("task 1 runs server (async_races_test.cpp:"), std::string::npos)
      << result.explanation;
  EXPECT_LT(elapsed, 5s) << "the 100 ms timers must not be slept for real";
  std::printf("%s\n", result.explanation.c_str());
}

TEST(AsyncRacesTest, NoTimerFiresBeforeItsDeadline) {
  // Each task sees at least its timer's duration pass on the execution's clock, whichever order
  // the search lets the timers fire in, and no test sleeps for real.
  struct Waits {
    std::vector<bool> on_time;
  };
  const auto wait_then_check = [](int ms) {
    return [ms](Waits &waits) -> asio::awaitable<void> {
      const auto start = std::chrono::steady_clock::now();
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
      co_await timer.async_wait(asio::use_awaitable);
      waits.on_time.push_back(std::chrono::steady_clock::now() - start >=
                              std::chrono::milliseconds(ms));
    };
  };
  const auto started = std::chrono::steady_clock::now();
  const auto result = interlace::explore_async_interleavings(
      [] { return Waits{}; }, {wait_then_check(3000), wait_then_check(1000), wait_then_check(2000)},
      [](const Waits &waits) { return waits.on_time == std::vector<bool>(3, true); },
      {.max_attempts = 300, .seed = 4});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_GT(result.unique_interleavings, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
}

TEST(AsyncRacesTest, TasksAwaitingEachOtherAreADeadlock) {
  struct Pair {
    Channel a{interlace::async_executor(), 0};
    Channel b{interlace::async_executor(), 0};
  };
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Pair>(); },
      {[](Pair &p) -> asio::awaitable<void> {
         co_await p.a.async_receive(asio::use_awaitable);
         co_await p.b.async_send(asio::error_code{}, 0, asio::use_awaitable);
       },
       [](Pair &p) -> asio::awaitable<void> {
         co_await p.b.async_receive(asio::use_awaitable);
         co_await p.a.async_send(asio::error_code{}, 0, asio::use_awaitable);
       }},
      [](const Pair &) { return true; }, {.max_attempts = 50, .seed = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Deadlock"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("task 0"), std::string::npos) << result.explanation;
  std::printf("%s\n", result.explanation.c_str());
}

// A timer that never expires used as a condition variable (as Asio's own chat example does):
// the writer looks at its queue and, if it is empty, waits on the timer; a producer queues and
// cancels the wait. On a single-threaded io_context the look and the start of the wait are one
// handler: no producer can run between them, so no wakeup is lost. The co_await's switch point
// is therefore after the wait has started, not before; and the timer, set to time_point::max(),
// never fires by itself.
struct TimerSignal {
  asio::steady_timer timer{interlace::async_executor(),
                           std::chrono::steady_clock::time_point::max()};
  std::vector<int> queue;
  int taken = 0;
};

asio::awaitable<void> take_two(TimerSignal &signal) {
  while (signal.taken < 2) {
    if (signal.queue.empty()) {
      asio::error_code ignored;
      co_await signal.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    } else {
      signal.queue.pop_back();
      ++signal.taken;
    }
  }
}

asio::awaitable<void> produce(TimerSignal &signal) {
  signal.queue.push_back(1);
  signal.timer.cancel_one();
  co_return;
}

TEST(AsyncRacesTest, ATimerAsAConditionVariableLosesNoWakeup) {
  for (const interlace::Search search : {interlace::Search::automatic, interlace::Search::dpor}) {
    const auto result = interlace::explore_async_interleavings(
        [] { return std::make_unique<TimerSignal>(); }, {take_two, produce, produce},
        [](const TimerSignal &signal) { return signal.taken == 2; },
        {.max_attempts = 500, .search = search});
    EXPECT_TRUE(result.property_holds) << result.explanation;
    EXPECT_GT(result.unique_interleavings, 2);
  }
}

// The same writer with a producer that forgets to cancel the wait: when the writer waits before
// the producer queues, nothing wakes it, and the never-expiring timer leaves a deadlock.
TEST(AsyncRacesTest, AWaitNobodyCancelsOnANeverExpiringTimerIsADeadlock) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<TimerSignal>(); },
      {take_two, produce,
       [](TimerSignal &signal) -> asio::awaitable<void> {
         signal.queue.push_back(2); // no cancel_one()
         co_return;
       }},
      [](const TimerSignal &signal) { return signal.taken == 2; }, {.max_attempts = 500});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Deadlock"), std::string::npos) << result.explanation;
}

} // namespace
