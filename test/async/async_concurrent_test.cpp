// Handlers that run at the same time (ExploreOptions::concurrent_handlers): an io_context run by
// several threads. A strand used in one place and forgotten in another is a race there, and
// none on one thread; the same counter behind the strand everywhere holds.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

namespace {

struct Counter {
  int value = 0;
  asio::strand<asio::any_io_executor> strand{interlace::async_executor()};
};

// The increment the author meant: a coroutine on the strand, awaited. (A co_await of
// post(strand) would not do: the coroutine resumes on its own executor, not on the strand, and
// the systematic search finds that race.)
asio::awaitable<void> increment_on_strand(Counter &counter) {
  co_await asio::co_spawn(
      counter.strand,
      [&counter]() -> asio::awaitable<void> {
        counter.value = counter.value + 1;
        co_return;
      },
      asio::use_awaitable);
}

// The same increment where the strand was forgotten.
asio::awaitable<void> increment_anywhere(Counter &counter) {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  counter.value = counter.value + 1;
}

// What the author wrote first: post(strand) seems to move the coroutine onto the strand.
asio::awaitable<void> increment_after_posting_to_strand(Counter &counter) {
  co_await asio::post(counter.strand, asio::use_awaitable);
  counter.value = counter.value + 1;
}

bool both_counted(const Counter &counter) { return counter.value == 2; }

TEST(AsyncConcurrentTest, AForgottenStrandIsARaceWhenHandlersRunAtOnce) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Counter>(); }, {increment_on_strand, increment_anywhere},
      both_counted,
      {.max_attempts = 2000, .seed = 3, .max_shrinks = 100, .concurrent_handlers = true});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("lost update"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("counter.value = counter.value + 1"), std::string::npos)
      << result.explanation;
}

TEST(AsyncConcurrentTest, OnOneThreadTheSameCodeHasNoRace) {
  // A handler runs whole on a single-threaded io_context: the increment is never split.
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Counter>(); }, {increment_on_strand, increment_anywhere},
      both_counted, {.max_attempts = 500, .seed = 3});
  EXPECT_TRUE(result.property_holds) << result.explanation;
}

TEST(AsyncConcurrentTest, TheStrandEverywhereHolds) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Counter>(); }, {increment_on_strand, increment_on_strand},
      both_counted, {.max_attempts = 300, .seed = 3, .concurrent_handlers = true});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.num_explored, 300);
  EXPECT_GT(result.unique_interleavings, 1);
}

// Found in two schedules by the systematic search; 1 000 sampled schedules did not split the
// increment at the one place that shows it.
TEST(AsyncConcurrentTest, PostingToTheStrandDoesNotMoveTheCoroutineOntoIt) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<Counter>(); },
      {increment_after_posting_to_strand, increment_after_posting_to_strand}, both_counted,
      {.max_attempts = 100000, .search = interlace::Search::dpor, .concurrent_handlers = true});
  ASSERT_FALSE(result.property_holds) << result.explanation;
  EXPECT_NE(result.explanation.find("lost update: task 0 and task 1 both read Counter::value"),
            std::string::npos)
      << result.explanation;
}

// A message over a socket pair, written by one task and read by the other: the read completes
// whichever way the handlers interleave, inside Asio too (a task may stop while it holds the
// scheduler's lock, or while it runs the reactor another task's read was registered with).
struct SocketPair {
  std::array<int, 2> fds{};
  std::string received;
  SocketPair() {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()) != 0) {
      throw std::runtime_error("socketpair failed");
    }
  }
};

asio::awaitable<void> send_ping(SocketPair &pair) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  socket.assign(asio::ip::tcp::v4(), pair.fds[0]);
  co_await asio::async_write(socket, asio::buffer(std::string_view("ping\n")), asio::use_awaitable);
}

asio::awaitable<void> receive_ping(SocketPair &pair) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  socket.assign(asio::ip::tcp::v4(), pair.fds[1]);
  std::string buffer;
  co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\n", asio::use_awaitable);
  pair.received = buffer;
}

TEST(AsyncConcurrentTest, ASocketPairCarriesItsMessageWhenHandlersRunAtOnce) {
  const auto result = interlace::explore_async_interleavings(
      [] { return std::make_unique<SocketPair>(); }, {send_ping, receive_ping},
      [](const SocketPair &pair) { return pair.received == "ping\n"; },
      {.max_attempts = 300, .seed = 3, .concurrent_handlers = true});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_EQ(result.num_explored, 300);
  EXPECT_GT(result.unique_interleavings, 1);
}

} // namespace
