// Prints interlace's performance figures, one per line: NAME VALUE UNIT, each the median of
// repeated measurements. Run with `make bench` (a Release build).
#include <interlace/interlace.hpp>
#include <interlace/rt/choice_strategy.hpp>
#include <interlace/rt/executor.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

// External linkage and a used result: otherwise the optimiser folds the loads away.
std::atomic<long> g_bench_cell{1};
long g_bench_sink = 0;

namespace {

using Clock = std::chrono::steady_clock;

template <class F> double median_of(int repetitions, F measure) {
  std::vector<double> values;
  for (int i = 0; i < repetitions; ++i) {
    values.push_back(measure());
  }
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct AtomicCounter {
  std::atomic<int> value{0};
};

// Schedules per second that explore_interleavings runs on the race-free two-thread counter.
double exec_per_s_counter(int attempts) {
  const auto start = Clock::now();
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<AtomicCounter>(); },
                                       {[](AtomicCounter &c) { c.value.fetch_add(1); },
                                        [](AtomicCounter &c) { c.value.fetch_add(1); }},
                                       [](const AtomicCounter &c) { return c.value.load() == 2; },
                                       {.max_attempts = attempts,
                                        .max_ops = 300,
                                        .seed = 1,
                                        .reproduce_on_failure = 0,
                                        .shrink = false});
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!result.property_holds || result.num_explored != attempts) {
    std::fprintf(stderr, "bench: unexpected result\n%s", result.explanation.c_str());
    std::exit(1);
  }
  return attempts / seconds;
}

// Cost of a yield point in a managed thread when no switch is due: one thread, so every
// step keeps running without consulting the strategy.
double step_ns(long steps) {
  interlace::rt::Executor executor;
  interlace::rt::SeededChoiceSource choices(1);
  interlace::rt::ChoiceStrategy strategy(choices, 300);
  interlace::rt::RunOptions options;
  options.max_steps = static_cast<std::uint64_t>(steps) + 100;
  std::vector<std::function<void()>> bodies = {[steps] {
    long sum = 0;
    for (long i = 0; i < steps; ++i) {
      sum += g_bench_cell.load(std::memory_order_relaxed);
    }
    g_bench_sink = sum;
  }};
  const auto start = Clock::now();
  executor.run(bodies, strategy, options);
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  return ns / static_cast<double>(executor.schedule().size());
}

} // namespace

int main() {
  std::printf("exec_per_s_counter %.0f schedules/s\n",
              median_of(5, [] { return exec_per_s_counter(10000); }));
  std::printf("step_ns %.1f ns\n", median_of(5, [] { return step_ns(1000000); }));
  return 0;
}
