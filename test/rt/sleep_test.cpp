// Sleeping, yielding and the execution's clock; spin-waits always end.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "interlace/annotations.h"
#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(SleepTest, SleepsAreYieldPointsThatMoveTheClockWithoutWaiting) {
  rt::Executor executor;
  Clock::duration slept_for{};
  Clock::duration slept_until{};
  std::chrono::system_clock::duration wall{};
  long long posix_ms = 0;
  Bodies bodies = {[&] {
    const auto start = Clock::now();
    const auto wall_start = std::chrono::system_clock::now();
    std::this_thread::sleep_for(1h);
    slept_for = Clock::now() - start;
    std::this_thread::sleep_until(start + 2h);
    slept_until = Clock::now() - start;
    wall = std::chrono::system_clock::now() - wall_start;
    timespec before{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    sleep(1);
    usleep(500000);
    const timespec ten_ms{0, 10'000'000};
    nanosleep(&ten_ms, nullptr);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ten_ms, nullptr);
    timespec until = before;
    until.tv_sec += 3;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
    timespec after{};
    clock_gettime(CLOCK_MONOTONIC, &after);
    posix_ms = (after.tv_sec - before.tv_sec) * 1000LL + (after.tv_nsec - before.tv_nsec) / 1000000;
  }};
  const auto real_start = Clock::now();
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_LT(Clock::now() - real_start, 5s); // nothing really slept
  EXPECT_EQ(slept_for, 1h);                 // the clock stands still between steps
  EXPECT_EQ(slept_until, 2h);
  EXPECT_EQ(wall, 2h); // every elapsed-time clock moves together
  EXPECT_EQ(posix_ms, 3000);
  int sleeps = 0;
  for (const rt::StepRecord &step : executor.trace()) {
    sleeps += step.event.kind == rt::EventKind::Sleep ? 1 : 0;
  }
  EXPECT_EQ(sleeps, 7);
}

TEST(SleepTest, ASleepDoesNotOrderThreads) {
  // Sleeping to "let the other thread go first" is a race: both orders happen.
  rt::Executor executor;
  std::set<int> last_writers;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::atomic<int> value{0};
    Bodies bodies = {[&] {
                       std::this_thread::sleep_for(100ms);
                       value.store(1);
                     },
                     [&] { value.store(2); }};
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    last_writers.insert(value.load());
  }
  EXPECT_EQ(last_writers, (std::set<int>{1, 2}));
}

TEST(SleepTest, YieldingLetsAnotherThreadRun) {
  rt::Executor executor;
  std::atomic<int> order{0};
  int first = -1;
  Bodies bodies = {[&] {
                     sched_yield();
                     int expected = 0;
                     if (order.compare_exchange_strong(expected, 1)) {
                       first = 0;
                     }
                   },
                   [&] {
                     int expected = 0;
                     if (order.compare_exchange_strong(expected, 2)) {
                       first = 1;
                     }
                   }};
  // Thread 0 starts and yields; the schedule gives the next step to thread 1.
  ASSERT_FALSE(run_replay(executor, bodies, {0, 0, 1, 1, 1, 1}).failed());
  EXPECT_EQ(first, 1);
}

TEST(SleepTest, TheClockStartsAtTheRealTimeAndStandsStillBetweenSleeps) {
  rt::Executor executor;
  Clock::time_point reads[3];
  Bodies bodies = {[&] {
    reads[0] = Clock::now();
    for (int i = 0; i < 1000; ++i) {
      std::atomic_thread_fence(std::memory_order_seq_cst); // steps, no sleep
    }
    reads[1] = Clock::now();
    std::this_thread::yield();
    reads[2] = Clock::now();
  }};
  const auto before = Clock::now();
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_GE(reads[0], before);
  EXPECT_LE(reads[0], Clock::now());
  EXPECT_EQ(reads[1], reads[0]);
  EXPECT_EQ(reads[2], reads[0]);
}

// A driver's hidden stretch (interlace/asio.hpp's loops) has no yield points, but the time it
// reads is still the execution's: Asio's timers, compared there, must not see a deadline pass
// that the execution has not reached.
TEST(SleepTest, AHiddenStretchReadsTheExecutionsClock) {
  rt::Executor executor;
  Clock::duration visible{};
  Clock::duration hidden{};
  Bodies bodies = {[&] {
    const auto start = Clock::now();
    std::this_thread::sleep_for(1h);
    visible = Clock::now() - start;
    const int previous = interlace_hide_begin();
    hidden = Clock::now() - start;
    interlace_hide_end(previous);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(visible, 1h);
  EXPECT_EQ(hidden, 1h);
}

TEST(SleepTest, SleepsOutsideExecutionsReallySleep) {
  const auto start = Clock::now();
  std::this_thread::sleep_for(20ms);
  usleep(5000);
  EXPECT_GE(Clock::now() - start, 25ms);
  EXPECT_EQ(sched_yield(), 0);
}

// The waiter spins on a flag the other thread sets; the strategy may keep the spinner
// running, but never past the step budget: then the fairness quantum rotates.
TEST(SpinTest, ASpinWaitOnAnAtomicFlagTerminatesUnderEverySchedule) {
  rt::Executor executor;
  for (std::uint64_t max_ops : {0, 5, 300}) {
    for (std::uint64_t seed = 0; seed < 500; ++seed) {
      std::atomic<bool> flag{false};
      std::atomic<int> done{0};
      Bodies bodies = {[&] {
                         while (!flag.load(std::memory_order_acquire)) {
                         }
                         done.fetch_add(1);
                       },
                       [&] {
                         while (!flag.load(std::memory_order_relaxed)) {
                           std::this_thread::yield();
                         }
                         done.fetch_add(1);
                       },
                       [&] { flag.store(true, std::memory_order_release); }};
      const rt::Outcome outcome = run_seeded(executor, bodies, seed, {}, max_ops);
      ASSERT_FALSE(outcome.failed()) << "max_ops " << max_ops << ", seed " << seed << ": "
                                     << outcome.message << outcome.details;
      ASSERT_EQ(done.load(), 2);
    }
  }
  // A replayed schedule that names only the spinner runs out, and then the others run.
  std::atomic<bool> flag{false};
  Bodies bodies = {[&] {
                     while (!flag.load()) {
                     }
                   },
                   [&] { flag.store(true); }};
  EXPECT_FALSE(run_replay(executor, bodies, std::vector<int>(5000, 0)).failed());
}

} // namespace
} // namespace interlace::testing
