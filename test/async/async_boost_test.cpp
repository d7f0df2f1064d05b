// The same header on Boost.Asio: only the namespace differs (INTERLACE_BOOST_ASIO).
#define INTERLACE_BOOST_ASIO 1
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

namespace {

namespace net = boost::asio;

struct Counter {
  int value = 0;
  net::awaitable<void> increment() {
    const int temp = value;
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    value = temp + 1;
  }
};

TEST(AsyncBoostTest, LostUpdateAcrossAPostIsFound) {
  const auto result = interlace::explore_async_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { return c.increment(); }, [](Counter &c) { return c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, {.max_attempts = 500, .seed = 7});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
}

TEST(AsyncBoostTest, TimersRunOnTheExecutionsClock) {
  struct Waited {
    bool on_time = false;
  };
  const auto result = interlace::explore_async_interleavings(
      [] { return Waited{}; }, {[](Waited &w) -> net::awaitable<void> {
        const auto start = std::chrono::steady_clock::now();
        net::steady_timer timer(co_await net::this_coro::executor, std::chrono::hours(1));
        co_await timer.async_wait(net::use_awaitable);
        w.on_time = std::chrono::steady_clock::now() - start >= std::chrono::hours(1);
      }},
      [](const Waited &w) { return w.on_time; }, {.max_attempts = 20, .seed = 1});
  EXPECT_TRUE(result.property_holds) << result.explanation;
}

} // namespace
