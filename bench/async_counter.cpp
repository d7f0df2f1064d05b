// exec_per_s_async_counter: schedules per second explore_async_interleavings runs on the seed's
// two-task async counter (bench/figures.cpp prints it beside the thread counter's figure).
#include <interlace/asio.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

struct AsyncCounter {
  int value = 0;
  asio::awaitable<int> get_value() { co_return value; }
  asio::awaitable<void> set_value(int new_value) {
    value = new_value;
    co_return;
  }
  asio::awaitable<void> increment() {
    const int temp = co_await get_value();
    co_await set_value(temp + 1);
  }
};

} // namespace

double exec_per_s_async_counter(int attempts) {
  const auto start = std::chrono::steady_clock::now();
  // Either outcome is accepted: the figure is how fast schedules run, not whether one fails.
  auto result = interlace::explore_async_interleavings(
      [] { return AsyncCounter{}; },
      {[](AsyncCounter &c) { return c.increment(); },
       [](AsyncCounter &c) { return c.increment(); }},
      [](const AsyncCounter &c) { return c.value == 1 || c.value == 2; },
      {.max_attempts = attempts, .seed = 1, .reproduce_on_failure = 0, .shrink = false});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.property_holds || result.num_explored != attempts) {
    std::fprintf(stderr, "bench: unexpected result\n%s", result.explanation.c_str());
    std::exit(1);
  }
  return attempts / seconds;
}
