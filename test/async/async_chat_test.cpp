// Code no one here wrote: Asio's own coroutine example, chat_server.cpp from Debian's
// libasio-doc. CMake copies it into the build tree, so the pass instruments it as the user's
// code, as it would instrument a program built on it; its chat_room and chat_session classes
// run unchanged (its main is renamed away), their sockets one end of a socket pair each, a
// client task at the other end.
//
// The example's writer waits for messages on a timer set to time_point::max() that deliver()
// cancels: these tests failed before interlace let such a timer stand (a livelock, the clock
// jumping to the end of time) and before a co_await's switch point moved past the operation it
// starts (a lost wakeup no single-threaded io_context can show).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "interlace/asio.hpp"
#include "interlace/gtest.hpp"

#define main asio_example_chat_server_main
#include "chat_server.cpp" // NOLINT(bugprone-suspicious-include): Asio's example, see above
#undef main

namespace {

struct Chat {
  chat_room room;
  std::array<std::array<int, 2>, 2> pairs{}; // per client: the server's end, the client's end
  std::array<std::vector<std::string>, 2> received;

  Chat() {
    for (auto &pair : pairs) {
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()) != 0) {
        throw std::runtime_error("socketpair failed");
      }
    }
  }
};

// What the example's listener does for each accepted connection.
asio::awaitable<void> serve(Chat &chat) {
  const auto executor = co_await asio::this_coro::executor;
  for (auto &pair : chat.pairs) {
    tcp::socket socket(executor);
    socket.assign(tcp::v4(), pair[0]);
    std::make_shared<chat_session>(std::move(socket), chat.room)->start();
  }
}

// A client: says hello, reads `lines` lines, leaves (its session then stops).
asio::awaitable<void> talk(Chat &chat, int client, std::size_t lines) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  socket.assign(tcp::v4(), chat.pairs[static_cast<std::size_t>(client)][1]);
  const std::string hello = "hello from " + std::to_string(client) + "\n";
  co_await asio::async_write(socket, asio::buffer(hello), use_awaitable);
  std::string buffer;
  std::vector<std::string> &received = chat.received[static_cast<std::size_t>(client)];
  while (received.size() < lines) {
    const std::size_t n =
        co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\n", use_awaitable);
    received.push_back(buffer.substr(0, n));
    buffer.erase(0, n);
  }
  socket.close();
}

// The server's own announcement, from a task of its own, straight into the room.
asio::awaitable<void> announce(Chat &chat) {
  chat.room.deliver("server: welcome\n");
  co_return;
}

// Every client heard every line, and in the same order: the room delivers to all at once.
bool everyone_heard(const Chat &chat, std::size_t lines) {
  return chat.received[0].size() == lines && chat.received[0] == chat.received[1];
}

TEST(AsioChatExampleTest, EveryClientHearsEveryMessageInOneOrder) {
  for (const interlace::Search search : {interlace::Search::automatic, interlace::Search::dpor}) {
    const auto result = interlace::explore_async_interleavings(
        [] { return std::make_unique<Chat>(); },
        {[](Chat &chat) { return serve(chat); }, [](Chat &chat) { return talk(chat, 0, 2); },
         [](Chat &chat) { return talk(chat, 1, 2); }},
        [](const Chat &chat) { return everyone_heard(chat, 2); },
        {.max_attempts = search == interlace::Search::dpor ? 300 : 1000, .search = search});
    EXPECT_INTERLEAVINGS_HOLD(result);
    EXPECT_GT(result.unique_interleavings, 100) << result.explanation;
  }
}

// deliver() from another task while a session's writer is between finding its queue empty and
// waiting on its timer: on one io_context thread that cannot happen, the check and the start of
// the wait being one handler. With every co_await a switch point (the default) and with real
// suspensions only, it holds.
TEST(AsioChatExampleTest, AnAnnouncementFromAnotherTaskReachesEveryClient) {
  for (const bool every_co_await : {true, false}) {
    const auto result = interlace::explore_async_interleavings(
        [] { return std::make_unique<Chat>(); },
        {[](Chat &chat) { return serve(chat); }, [](Chat &chat) { return talk(chat, 0, 3); },
         [](Chat &chat) { return talk(chat, 1, 3); }, announce},
        [](const Chat &chat) { return everyone_heard(chat, 3); },
        {.max_attempts = 1000, .every_co_await = every_co_await});
    EXPECT_INTERLEAVINGS_HOLD(result);
    EXPECT_GT(result.unique_interleavings, 100) << result.explanation;
  }
}

} // namespace
