// The worker pool: workers are reused by executions of the same size, and the surplus of a
// big execution is ended and joined once its Executor returns it.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

// The pool keeps at least this many idle workers (kMinIdleWorkers in thread_pool.hpp).
constexpr int kMinIdle = 64;

// One managed thread that starts `children` threads and joins them: children + 1 workers.
void run_spawner(int children) {
  rt::Executor executor;
  std::atomic<int> ran{0};
  Bodies bodies = {[&] {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(children));
    for (int i = 0; i < children; ++i) {
      threads.emplace_back([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
    }
    for (std::thread &thread : threads) {
      thread.join();
    }
  }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  ASSERT_FALSE(outcome.failed()) << outcome.message;
  EXPECT_EQ(ran.load(), children);
  EXPECT_EQ(executor.num_threads(), children + 1);
  EXPECT_GE(rt::pooled_worker_count(), children + 1); // all still held by the executor
}

TEST(ThreadPoolTest, TheSurplusOfABigExecutionIsEndedWhenItsExecutorIsDestroyed) {
  const long threads_before = proc_status("Threads");
  run_spawner(3000);
  EXPECT_LE(rt::pooled_worker_count(), kMinIdle);
  EXPECT_LE(proc_status("Threads"), threads_before + kMinIdle);
}

TEST(ThreadPoolTest, BigExecutionsInARowKeepTheirWorkersUntilASmallOneFollows) {
  run_spawner(3); // forget what earlier tests in this process needed
  const long threads_before = proc_status("Threads");
  run_spawner(300);
  run_spawner(300);
  EXPECT_EQ(rt::pooled_worker_count(), 301); // the last two needed as many
  run_spawner(3);
  EXPECT_LE(rt::pooled_worker_count(), kMinIdle);
  EXPECT_LE(proc_status("Threads"), threads_before + kMinIdle);
}

// A fresh Executor per run (as TraceExecutor does), each with more threads than the pool's
// floor: from the second run on, every run reuses the same OS threads.
TEST(ThreadPoolTest, ExecutorsOfTheSameSizeReuseTheirWorkers) {
  constexpr int kThreads = 100;
  auto run_once = [] {
    std::mutex lock;
    std::vector<long> tids;
    Bodies bodies(kThreads, [&] {
      const long tid = syscall(SYS_gettid);
      std::lock_guard<std::mutex> guard(lock);
      tids.push_back(tid);
    });
    rt::Executor executor;
    const rt::Outcome outcome = run_seeded(executor, bodies, 0);
    EXPECT_FALSE(outcome.failed()) << outcome.message;
    std::ranges::sort(tids);
    return tids;
  };
  run_once();
  const std::vector<long> tids = run_once();
  ASSERT_EQ(tids.size(), static_cast<std::size_t>(kThreads));
  const int workers = rt::pooled_worker_count();
  const long threads = proc_status("Threads");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(run_once(), tids) << "run " << i << " started new OS threads";
  }
  EXPECT_EQ(rt::pooled_worker_count(), workers);
  EXPECT_EQ(proc_status("Threads"), threads);
}

// What interlace run does before it rolls its memory back: no pooled OS thread is left, and
// the next run starts new ones.
TEST(ThreadPoolTest, EndingTheIdleWorkersLeavesNoneAndTheNextRunStartsNewOnes) {
  run_spawner(3);
  ASSERT_GT(rt::pooled_worker_count(), 0);
  rt::end_idle_pooled_workers();
  EXPECT_EQ(rt::pooled_worker_count(), 0);
  run_spawner(3);
  EXPECT_GT(rt::pooled_worker_count(), 0); // under a sanitizer only main's worker is pooled
}

} // namespace
} // namespace interlace::testing
