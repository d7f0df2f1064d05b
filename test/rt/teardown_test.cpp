// Ending an execution early leaves nothing behind.
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>

#undef NDEBUG // one failure kind is a failed assert()
#include <cassert>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>

#include "interlace/annotations.h"
#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

// One failing execution of each kind (every one fails, whatever the schedule).
enum class Failure {
  MutexDeadlock,
  CondvarDeadlock,
  LatchDeadlock,
  SemaphoreDeadlock,
  Livelock,
  Exception,
  Assertion,
  Crash,
  Exit
};

// Held by a failing thread in most kinds: if it outlived its execution, the next one using it
// would deadlock.
std::mutex g_global;
int *volatile g_null = nullptr;
// A crash UBSan (make test-asan) would report before it happens.
__attribute__((no_sanitize("undefined"))) void write_null() { *g_null = 1; }

// Spins (with yield points) until `flag` is set.
void await_flag(const std::atomic<bool> &flag) {
  while (!flag.load()) {
    std::this_thread::yield();
  }
}

void check_positive(int value) { assert(value > 0); }

rt::Outcome run_failing(rt::Executor &executor, Failure failure, std::uint64_t seed) {
  std::mutex a;
  std::mutex b;
  std::atomic<bool> has_a{false};
  std::atomic<bool> has_b{false};
  std::condition_variable cv;
  std::latch latch{2};
  std::counting_semaphore<1> semaphore{0};
  Bodies bodies;
  switch (failure) {
  case Failure::MutexDeadlock: // each takes one lock, waits for the other to take its own
    bodies = {[&] {
                std::lock_guard<std::mutex> first(a);
                has_a = true;
                await_flag(has_b);
                std::lock_guard<std::mutex> second(b);
              },
              [&] {
                std::lock_guard<std::mutex> first(b);
                has_b = true;
                await_flag(has_a);
                std::lock_guard<std::mutex> second(a);
              }};
    break;
  case Failure::CondvarDeadlock: // nobody notifies, and a child waits too
    bodies = {[&] {
                // A jthread: unwinding a joinable std::thread would call std::terminate.
                std::jthread child([&] {
                  std::unique_lock<std::mutex> lock(b);
                  cv.wait(lock);
                });
                std::unique_lock<std::mutex> lock(a);
                cv.wait(lock);
              },
              [&] { std::lock_guard<std::mutex> guard(b); }};
    break;
  case Failure::LatchDeadlock: // a miscount
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                latch.wait();
              },
              [&] { latch.count_down(); }};
    break;
  case Failure::SemaphoreDeadlock:
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                semaphore.acquire();
              },
              [&] { std::lock_guard<std::mutex> guard(a); }};
    break;
  case Failure::Livelock:
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                await_flag(has_a);
              },
              [&] { await_flag(has_b); }};
    break;
  case Failure::Exception:
    bodies = {[&] {
                std::lock_guard<std::mutex> guard(a);
                throw std::runtime_error("boom");
              },
              [&] {
                std::lock_guard<std::mutex> guard(a);
                std::this_thread::yield();
              }};
    break;
  case Failure::Assertion:
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                check_positive(0);
              },
              [&] { std::lock_guard<std::mutex> guard(a); }};
    break;
  case Failure::Crash:
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                write_null();
              },
              [&] { std::lock_guard<std::mutex> guard(a); }};
    break;
  case Failure::Exit:
    bodies = {[&] {
                std::lock_guard<std::mutex> global(g_global);
                std::exit(2);
              },
              [&] { std::lock_guard<std::mutex> guard(a); }};
    break;
  }
  rt::RunOptions options;
  options.max_steps = 400;
  return run_seeded(executor, bodies, seed, options);
}

TEST(TeardownTest, TenThousandFailingExecutionsKeepThreadsAndMemoryFlat) {
  rt::Executor executor;
  constexpr Failure kinds[] = {Failure::MutexDeadlock, Failure::CondvarDeadlock,
                               Failure::LatchDeadlock, Failure::SemaphoreDeadlock,
                               Failure::Livelock,      Failure::Exception,
                               Failure::MutexDeadlock, Failure::CondvarDeadlock,
                               Failure::Exception,     Failure::Livelock};
  int by_kind[8] = {};
  int failed = 0;
  auto run_batch = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      // An assertion, a crash or an exit ends its OS thread (the pool replaces it), which
      // leaves some of glibc's per-thread memory behind (its malloc cache): 1 run in 50, each
      // kind in turn.
      const Failure failure = i % 150 == 9     ? Failure::Assertion
                              : i % 150 == 59  ? Failure::Crash
                              : i % 150 == 109 ? Failure::Exit
                                               : kinds[i % 10];
      const rt::Outcome outcome = run_failing(executor, failure, static_cast<std::uint64_t>(i));
      failed += outcome.failed() ? 1 : 0;
      ++by_kind[static_cast<int>(outcome.failure)];
    }
  };
  run_batch(0, 500); // warm up the pool and the allocator
  const long threads = proc_status("Threads");
  const long rss_kb = proc_status("VmRSS");
  failed = 0;
  std::ranges::fill(by_kind, 0);
  run_batch(500, 10500);
  EXPECT_EQ(failed, 10000);
  EXPECT_EQ(proc_status("Threads"), threads);
  EXPECT_LT(proc_status("VmRSS") - rss_kb, 2 * 1024) << "RSS grew from " << rss_kb << " kB";
  EXPECT_GT(by_kind[static_cast<int>(rt::FailureKind::Deadlock)], 5000);
  EXPECT_GT(by_kind[static_cast<int>(rt::FailureKind::Exception)], 2000);
  EXPECT_GT(by_kind[static_cast<int>(rt::FailureKind::Livelock)], 1500);
  EXPECT_EQ(by_kind[static_cast<int>(rt::FailureKind::Crash)], 67);
  EXPECT_EQ(by_kind[static_cast<int>(rt::FailureKind::Exit)], 67);
  // A correct execution that takes the global lock passes after all of them.
  int sum = 0;
  Bodies correct = {[&] {
                      std::lock_guard<std::mutex> global(g_global);
                      ++sum;
                    },
                    [&] {
                      std::lock_guard<std::mutex> global(g_global);
                      ++sum;
                    }};
  const rt::Outcome outcome = run_seeded(executor, correct, 1);
  EXPECT_FALSE(outcome.failed()) << outcome.message << "\n" << outcome.details;
  EXPECT_EQ(sum, 2);
}

TEST(TeardownTest, DestructorsOfTornDownThreadsRun) {
  rt::Executor executor;
  std::atomic<int> destroyed{0};
  struct Guard {
    std::atomic<int> *counter;
    ~Guard() { counter->fetch_add(1); }
  };
  std::mutex a;
  std::mutex b;
  Bodies bodies = {[&] {
                     Guard guard{&destroyed};
                     std::lock_guard<std::mutex> first(a);
                     std::lock_guard<std::mutex> second(b);
                   },
                   [&] {
                     Guard guard{&destroyed};
                     std::lock_guard<std::mutex> first(b);
                     std::lock_guard<std::mutex> second(a);
                   }};
  rt::Outcome outcome;
  for (std::uint64_t seed = 0; seed < 500 && outcome.failure != rt::FailureKind::Deadlock; ++seed) {
    destroyed = 0;
    outcome = run_seeded(executor, bodies, seed);
  }
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock);
  EXPECT_EQ(destroyed.load(), 2); // both threads were unwound, not abandoned
  // The pool is still usable and the next execution starts clean.
  std::atomic<int> ran{0};
  Bodies next(2, [&] { ran.fetch_add(1); });
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
  EXPECT_EQ(ran.load(), 2);
}

// Global on purpose: teardown must release locks that outlive the execution's state.
std::mutex g_global_mutex;
std::atomic<int> g_churn{0};

TEST(TeardownTest, AGlobalMutexHeldAcrossAJoinIsReleased) {
  rt::Executor executor;
  Bodies bodies = {[] {
                     std::lock_guard<std::mutex> lock(g_global_mutex);
                     std::jthread child([] {
                       for (int i = 0; i < 100; ++i) {
                         g_churn.fetch_add(1);
                       }
                     });
                     for (int i = 0; i < 100; ++i) {
                       g_churn.fetch_add(1);
                     }
                   },
                   [] {
                     for (int i = 0; i < 5; ++i) {
                       g_churn.fetch_add(1);
                     }
                     throw std::runtime_error("boom");
                   }};
  // Thread 0 takes the lock and starts its child, then thread 1 runs and throws.
  std::vector<int> schedule(30, 0);
  schedule.insert(schedule.end(), 30, 1);
  const rt::Outcome outcome = run_replay(executor, bodies, schedule);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Exception) << outcome.message;
  ASSERT_TRUE(g_global_mutex.try_lock()) << "the teardown left the global mutex locked";
  g_global_mutex.unlock();
  Bodies next = {[] { std::lock_guard<std::mutex> lock(g_global_mutex); }};
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
}

TEST(TeardownTest, ThreadsReleasedFromAYieldPointRunTheirDestructors) {
  rt::Executor executor;
  std::atomic<int> constructed{0};
  std::atomic<int> destroyed{0};
  struct Tracked {
    std::atomic<int> *destroyed;
    ~Tracked() { destroyed->fetch_add(1); }
  };
  Bodies bodies = {[&] {
                     constructed.fetch_add(1);
                     Tracked tracked{&destroyed};
                     for (int i = 0; i < 50; ++i) {
                       g_churn.fetch_add(1); // parked here when thread 1 throws
                     }
                   },
                   [&] {
                     g_churn.fetch_add(1);
                     throw std::runtime_error("boom");
                   }};
  int failures = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    failures += run_seeded(executor, bodies, seed).failed() ? 1 : 0;
  }
  EXPECT_EQ(failures, 100);
  EXPECT_EQ(destroyed.load(), constructed.load());
}

// No yield point inside: while a thread is here, no other managed thread may run.
std::atomic<int> g_inside{-1};
std::atomic<long> g_overlaps{0};
INTERLACE_NO_INSTRUMENT void exclusive_region(int me) {
  g_inside.store(me);
  for (int i = 0; i < 2000; ++i) {
    if (g_inside.load() != me) {
      g_overlaps.fetch_add(1);
      return;
    }
  }
}

void *sleep_then_touch(void *) {
  // No yield point, no interceptor: the execution stalls here, for ten stall timeouts, so that a
  // loaded machine still sees the stall before the sleep ends.
  poll(nullptr, 0, 1000);
  g_churn.fetch_add(1);
  return nullptr;
}

TEST(TeardownTest, AThreadLeftBehindNeverRunsAlongsideALaterExecution) {
  {
    rt::Executor stalled;
    Bodies bodies = {[] {
      pthread_t child;
      pthread_create(&child, nullptr, &sleep_then_touch, nullptr);
      pthread_join(child, nullptr);
    }};
    rt::RunOptions options;
    options.stall_timeout = std::chrono::milliseconds(100);
    EXPECT_EQ(run_seeded(stalled, bodies, 1, options).failure, rt::FailureKind::Timeout);
  }
  // The stuck thread wakes up while these run; it must end itself, not hand out turns.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1300);
  int runs = 0;
  while (std::chrono::steady_clock::now() < until) {
    rt::Executor executor;
    Bodies bodies;
    for (int t = 0; t < 2; ++t) {
      bodies.emplace_back([t] {
        for (int i = 0; i < 100; ++i) {
          g_churn.fetch_add(1);
          exclusive_region(t);
        }
      });
    }
    ASSERT_FALSE(run_seeded(executor, bodies, static_cast<std::uint64_t>(runs++)).failed());
  }
  EXPECT_GT(runs, 5);
  EXPECT_EQ(g_overlaps.load(), 0);
}

} // namespace
} // namespace interlace::testing
