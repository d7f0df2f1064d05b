// Prints interlace's performance figures, one per line: NAME VALUE UNIT, each the median of
// repeated measurements taken in this one process. Run with `make bench` (a Release build).
#include <interlace/interlace.hpp>
#include <interlace/rt/choice_strategy.hpp>
#include <interlace/rt/executor.hpp>
#include <interlace/rt/replay_strategy.hpp>

#include "explanation.hpp" // explore/src: the explanation of a synthetic failure

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace plain {
double raw_spin_handoff_ns(int rounds);
std::uint64_t sort_and_hash(std::vector<int> values);
} // namespace plain
#ifdef INTERLACE_BENCH_ASYNC
double exec_per_s_async_counter(int attempts); // async_counter.cpp
#endif
namespace instrumented {
std::uint64_t sort_and_hash(std::vector<int> values);
} // namespace instrumented

// External linkage and used results: otherwise the optimiser folds the accesses away.
std::atomic<long> g_bench_cell{1};
long g_bench_sink = 0;

namespace {

using Clock = std::chrono::steady_clock;

template <class F> double median_of(int repetitions, F measure) {
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(repetitions));
  for (int i = 0; i < repetitions; ++i) {
    values.push_back(measure());
  }
  std::ranges::sort(values);
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

// The same executions through the runtime alone, choices from a PRNG instead of RapidCheck:
// what generation costs is the difference to exec_per_s_counter.
double exec_per_s_counter_runtime(int attempts) {
  interlace::rt::Executor executor;
  interlace::rt::SeededChoiceSource choices(1);
  interlace::rt::ChoiceStrategy strategy(choices, 300);
  interlace::rt::RunOptions options;
  options.max_steps = 10000;
  AtomicCounter counter;
  std::vector<std::function<void()>> bodies = {[&counter] { counter.value.fetch_add(1); },
                                               [&counter] { counter.value.fetch_add(1); }};
  const auto start = Clock::now();
  for (int i = 0; i < attempts; ++i) {
    counter.value.store(0);
    if (executor.run(bodies, strategy, options).failed() || counter.value.load() != 2) {
      std::fprintf(stderr, "bench: unexpected result of the runtime-only counter\n");
      std::exit(1);
    }
  }
  return attempts / std::chrono::duration<double>(Clock::now() - start).count();
}

// A yield point in a managed thread when no switch is due: one thread, so the strategy keeps
// it running.
double step_ns(long steps) {
  interlace::rt::Executor executor;
  interlace::rt::SeededChoiceSource choices(1);
  interlace::rt::ChoiceStrategy strategy(choices, 300);
  interlace::rt::RunOptions options;
  options.max_steps = static_cast<std::uint64_t>(steps) + 100;
  options.record_trace = false;
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

// Handing the turn between two managed threads that alternate at every step.
class Alternate final : public interlace::rt::Strategy {
public:
  // Uninstrumented, like the runtime's own strategies: this file is built with the pass.
  INTERLACE_NO_INSTRUMENT std::optional<int>
  next(const interlace::rt::Decision &decision) override {
    return decision.candidates.back(); // the other thread, whenever it is runnable
  }
};

double handoff_ns(long steps_per_thread) {
  interlace::rt::Executor executor;
  Alternate strategy;
  interlace::rt::RunOptions options;
  options.max_steps = static_cast<std::uint64_t>(steps_per_thread) * 3;
  options.record_trace = false;
  auto body = [steps_per_thread] {
    long sum = 0;
    for (long i = 0; i < steps_per_thread; ++i) {
      sum += g_bench_cell.load(std::memory_order_relaxed);
    }
    g_bench_sink += sum;
  };
  std::vector<std::function<void()>> bodies = {body, body};
  const auto start = Clock::now();
  executor.run(bodies, strategy, options);
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  return ns / static_cast<double>(executor.schedule().size());
}

// The instrumented kernel outside any exploration, over the same kernel built without the pass.
double unmanaged_overhead_ratio() {
  std::vector<int> values(1'000'000);
  std::mt19937 random(42);
  for (int &value : values) {
    value = static_cast<int>(random() % 500'000);
  }
  const auto time = [&](auto kernel) {
    const auto start = Clock::now();
    g_bench_sink += static_cast<long>(kernel(values));
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  time(plain::sort_and_hash); // warm the allocator and the caches
  double instrumented_seconds = 0;
  double plain_seconds = 0;
  for (int i = 0; i < 5; ++i) { // interleaved, so that drift hits both alike
    instrumented_seconds += time(instrumented::sort_and_hash);
    plain_seconds += time(plain::sort_and_hash);
  }
  return instrumented_seconds / plain_seconds;
}

// Explaining an invariant failure whose trace has `accesses` accesses to one counter, two
// threads alternating read, read, write, write (a lost-update-prone increment loop): the whole
// explanation (classification, trace model, rendering), not the run that recorded it.
double explain_ms(std::size_t accesses) {
  static const interlace_site kRead = {
      "/nonexistent/counter.cpp", "increment", 7, 5, INTERLACE_SITE_LOAD, 0, "Counter::value"};
  static const interlace_site kWrite = {
      "/nonexistent/counter.cpp", "increment", 8, 5, INTERLACE_SITE_STORE, 0, "Counter::value"};
  interlace::detail::FailureRecord failure;
  failure.verdict = interlace::detail::Verdict::InvariantViolated;
  failure.trace.reserve(accesses);
  for (std::size_t i = 0; i < accesses; ++i) {
    const bool read = i % 4 < 2;
    failure.trace.push_back(interlace::rt::StepRecord{
        static_cast<int>(i % 2), interlace::rt::Event{read ? interlace::rt::EventKind::Read
                                                           : interlace::rt::EventKind::Write,
                                                      4, &g_bench_cell, read ? &kRead : &kWrite}});
  }
  interlace::detail::ExplanationInput input;
  input.failure = &failure;
  const auto start = Clock::now();
  const std::string text = interlace::detail::explain(input);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (text.find("lost update: thread 0 and thread 1") == std::string::npos) {
    std::fprintf(stderr, "bench: unexpected explanation\n%s", text.c_str());
    std::exit(1);
  }
  return ms;
}

} // namespace

int main(int argc, char **argv) {
  // `bench_figures NAME` measures one figure only (for profiling); no argument: all of them.
  const std::string only = argc > 1 ? argv[1] : "";
  const auto wanted = [&](const char *name) { return only.empty() || only == name; };
  constexpr int kAttempts = 20000;
  // `bench_figures exec_per_s_counter N` (or exec_per_s_async_counter N) runs N schedules
  // instead: two profiles of different N give the instructions of one schedule.
  const int attempts = argc > 2 && only.starts_with("exec_per_s_") ? std::stoi(argv[2]) : kAttempts;
  double early = 0;
  if (wanted("exec_per_s_counter")) {
    early = median_of(5, [attempts] { return exec_per_s_counter(attempts); });
    std::printf("exec_per_s_counter %.0f schedules/s\n", early);
    std::fflush(stdout);
  }
#ifdef INTERLACE_BENCH_ASYNC
  if (wanted("exec_per_s_async_counter")) {
    std::printf("exec_per_s_async_counter %.0f schedules/s\n",
                median_of(5, [attempts] { return exec_per_s_async_counter(attempts); }));
    std::fflush(stdout);
  }
#endif
  if (wanted("exec_per_s_counter_runtime")) {
    std::printf("exec_per_s_counter_runtime %.0f schedules/s\n",
                median_of(5, [] { return exec_per_s_counter_runtime(kAttempts); }));
  }
  if (wanted("handoff_ns")) {
    std::printf("handoff_ns %.1f ns\n", median_of(5, [] { return handoff_ns(200000); }));
  }
  if (wanted("raw_spin_handoff_ns")) {
    std::printf("raw_spin_handoff_ns %.1f ns\n",
                median_of(5, [] { return plain::raw_spin_handoff_ns(200000); }));
  }
  if (wanted("step_ns")) {
    std::printf("step_ns %.1f ns\n", median_of(5, [] { return step_ns(2000000); }));
  }
  if (wanted("unmanaged_overhead_ratio")) {
    std::printf("unmanaged_overhead_ratio %.3f x\n",
                median_of(3, [] { return unmanaged_overhead_ratio(); }));
  }
  if (wanted("explain_ms_100k")) {
    // `bench_figures explain_ms_100k N` explains N accesses instead (to compare with a slower
    // implementation on a size it can finish).
    const std::size_t accesses = argc > 2 ? std::stoul(argv[2]) : 100'000;
    std::printf("explain_ms_%s %.1f ms\n", argc > 2 ? std::to_string(accesses).c_str() : "100k",
                median_of(5, [accesses] { return explain_ms(accesses); }));
  }
  std::fflush(stdout);
  if (!only.empty()) {
    return 0;
  }
  // The same figure after 200 000 more executions: cost must not grow with their number.
  for (int done = 5 * kAttempts; done < 200000; done += kAttempts) {
    exec_per_s_counter(kAttempts);
  }
  const double late = median_of(5, [] { return exec_per_s_counter(kAttempts); });
  std::printf("exec_per_s_counter_late %.0f schedules/s\n", late);
  std::printf("exec_per_s_counter_late_ratio %.3f x\n", late / early);
  return 0;
}
