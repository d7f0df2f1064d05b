// syscall(SYS_futex) and what libstdc++ builds on it: atomic wait/notify, latch, barrier,
// counting_semaphore, future/promise, async; and jthread stop tokens.
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <ctime>
#include <future>
#include <latch>
#include <mutex>
#include <semaphore>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

using namespace std::chrono_literals;

// Runs `make_bodies()` under seeds 0..n-1 and asserts that every run completes; `check` runs
// after each.
template <class Make, class Check>
void expect_holds(rt::Executor &executor, int schedules, Make &&make_bodies, Check &&check) {
  for (std::uint64_t seed = 0; seed < static_cast<std::uint64_t>(schedules); ++seed) {
    auto [bodies, state] = make_bodies();
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << "\n"
                                   << outcome.details;
    check(*state);
  }
}

TEST(FutexTest, AtomicWaitAndNotifyHoldOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::atomic<int> flag{0};
    int data = 0;
    int seen = -1;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        Bodies bodies = {[&s] {
                           s.flag.wait(0);
                           s.seen = s.data;
                         },
                         [&s] {
                           s.data = 42;
                           s.flag.store(1);
                           s.flag.notify_one();
                         }};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_EQ(s.seen, 42); });
}

TEST(FutexTest, AMissingNotifyIsADeadlockOnTheFutexWord) {
  rt::Executor executor;
  rt::Outcome found;
  for (std::uint64_t seed = 0; seed < 500 && !found.failed(); ++seed) {
    std::atomic<int> flag{0};
    Bodies bodies = {[&] { flag.wait(0); },
                     [&] {
                       flag.store(1); /* no notify */
                     }};
    found = run_seeded(executor, bodies, seed);
    ASSERT_NE(found.failure, rt::FailureKind::Livelock);
  }
  ASSERT_EQ(found.failure, rt::FailureKind::Deadlock) << found.message;
  EXPECT_NE(found.details.find("thread 0 waits for futex word 0x"), std::string::npos)
      << found.details;
  EXPECT_NE(found.details.find("(while it holds 0: only a FUTEX_WAKE on it ends this wait"),
            std::string::npos)
      << found.details;
}

TEST(FutexTest, ALatchHoldsOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::latch done{2};
    std::atomic<int> parts{0};
    int seen = -1;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        auto worker = [&s] {
          s.parts.fetch_add(1);
          s.done.count_down();
        };
        Bodies bodies = {[&s] {
                           s.done.wait();
                           s.seen = s.parts.load();
                         },
                         worker, worker};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_EQ(s.seen, 2); });
}

TEST(FutexTest, ALatchMiscountIsADeadlockThatNamesTheFutexWord) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    std::latch done{3}; // three expected, two count down
    Bodies bodies = {[&] { done.wait(); }, [&] { done.count_down(); }, [&] { done.count_down(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
    EXPECT_NE(outcome.details.find("thread 0 waits for futex word"), std::string::npos)
        << outcome.details;
    EXPECT_NE(outcome.details.find("thread 1 has finished"), std::string::npos);
    EXPECT_NE(outcome.details.find("thread 2 has finished"), std::string::npos);
  }
}

TEST(FutexTest, AStdBarrierKeepsItsPhasesOver500Schedules) {
  rt::Executor executor;
  struct State {
    int phases = 0;
    std::barrier<std::function<void()>> sync{3, [this]() noexcept { ++phases; }};
    int slots[3][2] = {};
    bool ok = true;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        Bodies bodies;
        for (int t = 0; t < 3; ++t) {
          bodies.emplace_back([&s, t] {
            s.slots[t][0] = 1;
            s.sync.arrive_and_wait();
            // Everyone finished phase 0 before anyone starts phase 1.
            for (auto &slot : s.slots) {
              s.ok = s.ok && slot[0] == 1;
            }
            s.slots[t][1] = 1;
            s.sync.arrive_and_wait();
          });
        }
        return std::pair{bodies, state};
      },
      [](const State &s) {
        EXPECT_EQ(s.phases, 2);
        EXPECT_TRUE(s.ok);
      });
}

TEST(FutexTest, ACountingSemaphoreGuardsACounterOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::counting_semaphore<2> slots{1};
    int counter = 0;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        auto add = [&s] {
          for (int i = 0; i < 2; ++i) {
            s.slots.acquire();
            const int seen = s.counter;
            s.counter = seen + 1;
            s.slots.release();
          }
        };
        Bodies bodies = {add, add, add};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_EQ(s.counter, 6); });
}

TEST(FutexTest, ASemaphoreTryAcquireForTimesOutOnlyWhenNothingElseCanRun) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::binary_semaphore ready{0};
    bool acquired = false;
    bool timed_out_alone = true;
    Bodies bodies = {[&] { acquired = ready.try_acquire_for(1h); },
                     [&] {
                       for (int i = 0; i < 5; ++i) {
                         std::this_thread::yield();
                       }
                       ready.release();
                     }};
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    EXPECT_TRUE(acquired) << "seed " << seed;
    Bodies alone = {[&] { timed_out_alone = !ready.try_acquire_for(1h); }};
    ASSERT_FALSE(run_seeded(executor, alone, seed).failed());
    EXPECT_TRUE(timed_out_alone);
  }
}

TEST(FutexTest, AFutureReceivesThePromisedValueOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::promise<int> promise;
    std::future<int> future = promise.get_future();
    int got = -1;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        Bodies bodies = {[&s] { s.got = s.future.get(); }, [&s] { s.promise.set_value(7); }};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_EQ(s.got, 7); });
}

TEST(FutexTest, AsyncResultsArriveOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::atomic<int> shared{0};
    int total = 0;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        Bodies bodies = {[&s] {
          auto part = std::async(std::launch::async, [&s] { return s.shared.fetch_add(1) + 10; });
          const int mine = s.shared.fetch_add(1);
          s.total = part.get() + mine;
        }};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_EQ(s.total, 11); }); // 10 + 0 + 1 in either order
}

TEST(FutexTest, AJthreadStopsOnRequestOver500Schedules) {
  rt::Executor executor;
  struct State {
    std::mutex mutex;
    std::condition_variable_any cv;
    std::atomic<int> loops{0};
    bool stopped_waiting = false;
  };
  expect_holds(
      executor, 500,
      [] {
        auto state = std::make_shared<State>();
        State &s = *state;
        Bodies bodies = {[&s] {
          std::jthread spinner([&s](std::stop_token token) {
            while (!token.stop_requested()) {
              s.loops.fetch_add(1);
            }
          });
          std::jthread waiter([&s](std::stop_token token) {
            std::unique_lock<std::mutex> lock(s.mutex);
            s.stopped_waiting = !s.cv.wait(lock, token, [] { return false; });
          });
          s.loops.fetch_add(1);
          // Both destructors request a stop and join.
        }};
        return std::pair{bodies, state};
      },
      [](const State &s) { EXPECT_TRUE(s.stopped_waiting); });
}

long futex(void *word, int op, long value, const timespec *timeout = nullptr,
           unsigned bitset = FUTEX_BITSET_MATCH_ANY) {
  return syscall(SYS_futex, word, op, value, timeout, nullptr, bitset);
}

TEST(FutexTest, RawFutexWaitsCheckTheValueAndTimeOutWhenNothingElseCanRun) {
  rt::Executor executor;
  alignas(4) int word = 0;
  long mismatch = 0;
  int mismatch_errno = 0;
  long timed = 0;
  int timed_errno = 0;
  long long waited_ms = 0;
  long other_syscall = -1;
  Bodies bodies = {[&] {
    mismatch = futex(&word, FUTEX_WAIT_PRIVATE, 1); // word is 0
    mismatch_errno = errno;
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    timespec deadline = start;
    deadline.tv_sec += 3;
    timed = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &deadline); // absolute
    timed_errno = errno;
    timespec end{};
    clock_gettime(CLOCK_MONOTONIC, &end);
    waited_ms = (end.tv_sec - start.tv_sec) * 1000LL + (end.tv_nsec - start.tv_nsec) / 1000000;
    other_syscall = syscall(SYS_getpid);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(mismatch, -1);
  EXPECT_EQ(mismatch_errno, EAGAIN);
  EXPECT_EQ(timed, -1);
  EXPECT_EQ(timed_errno, ETIMEDOUT);
  EXPECT_GE(waited_ms, 3000); // the execution's clock jumped to the deadline
  EXPECT_LT(waited_ms, 4000);
  EXPECT_EQ(other_syscall, getpid());
}

TEST(FutexTest, RawFutexWakesCountWaitersFirstComeFirstServed) {
  rt::Executor executor;
  alignas(4) int word = 0;
  std::vector<int> order;
  long woken_one = -1;
  long woken_rest = -1;
  long woken_none = -1;
  Bodies bodies = {[&] {
                     futex(&word, FUTEX_WAIT, 0); // shared and private calls meet
                     order.push_back(0);
                   },
                   [&] {
                     futex(&word, FUTEX_WAIT_PRIVATE, 0);
                     order.push_back(1);
                   },
                   [&] {
                     woken_one = futex(&word, FUTEX_WAKE_PRIVATE, 1);
                     std::this_thread::yield();
                     woken_rest = futex(&word, FUTEX_WAKE, INT_MAX);
                     woken_none = futex(&word, FUTEX_WAKE, INT_MAX);
                   }};
  // Thread 0 blocks first (its start, the closure read, the wait), then thread 1; thread 2
  // wakes one (thread 0), yields, wakes the rest.
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 1, 1, 1, 2});
  ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
  EXPECT_EQ(woken_one, 1);
  EXPECT_EQ(woken_rest, 1);
  EXPECT_EQ(woken_none, 0);
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
}

// Calls as libstdc++ makes them: a wake passes three arguments after the number, a wait four.
// Each caller has an addressable local, so under ASan its frame starts with a redzone right
// where a sixth variadic argument would be: an interceptor that read six arguments for every
// call was reported there as a stack-buffer-underflow.
template <class T> void escape(T *pointer) { __asm__ volatile("" : : "r"(pointer) : "memory"); }

[[gnu::noinline]] long wake_with_three_arguments(int *word) {
  int count = 1;
  escape(&count);
  return syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count);
}

[[gnu::noinline]] long wait_with_four_arguments(int *word) {
  int expected = 0;
  escape(&expected);
  return syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, nullptr);
}

[[gnu::noinline]] long gettid_without_arguments() {
  int local = 0;
  escape(&local);
  return syscall(SYS_gettid);
}

TEST(FutexTest, SyscallReadsOnlyTheArgumentsTheCallerPassed) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    alignas(4) int word = 0;
    long waited = -1;
    long woken = 0;
    long tid = -1;
    long own_tid = -2;
    Bodies bodies = {[&] { waited = wait_with_four_arguments(&word); },
                     [&] {
                       // Until the waiter has blocked, there is no one to wake.
                       while ((woken = wake_with_three_arguments(&word)) == 0) {
                         std::this_thread::yield();
                       }
                       tid = gettid_without_arguments();
                       own_tid = gettid();
                     }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << "\n"
                                   << outcome.details;
    EXPECT_EQ(waited, 0);
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(tid, own_tid);
  }
}

TEST(FutexTest, AWakeInAnExecutionAlsoWakesThreadsOutsideIt) {
  std::atomic<int> flag{0};
  std::thread outside([&] { flag.wait(0); }); // not managed: a real futex wait
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  rt::Executor executor;
  Bodies bodies = {[&] {
    flag.store(1);
    flag.notify_all();
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  outside.join(); // returns only if the real waiter was woken
  EXPECT_EQ(flag.load(), 1);
}

TEST(FutexTest, FutexWaitsOutsideExecutionsAreTheRealOnes) {
  std::atomic<int> flag{0};
  std::thread waiter([&] { flag.wait(0); });
  std::this_thread::sleep_for(10ms);
  flag.store(1);
  flag.notify_all();
  waiter.join();
  std::latch done{1};
  std::thread counter([&] { done.count_down(); });
  done.wait();
  counter.join();
  EXPECT_EQ(flag.load(), 1);
}

} // namespace
} // namespace interlace::testing
