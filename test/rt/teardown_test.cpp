// Ending an execution early leaves nothing behind.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

TEST(TeardownTest, ThousandsOfFailingExecutionsKeepThreadsAndMemoryFlat) {
  rt::Executor executor;
  rt::RunOptions options;
  options.max_steps = 2000;
  int failures[5] = {0, 0, 0, 0, 0};
  auto run_batch = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::mutex a;
      std::mutex b;
      std::atomic<bool> flag{false};
      Bodies bodies = {[&] {
                         std::lock_guard<std::mutex> first(a);
                         std::lock_guard<std::mutex> second(b);
                         if (i % 3 == 0) {
                           throw std::runtime_error("boom");
                         }
                       },
                       [&] {
                         std::lock_guard<std::mutex> first(b);
                         std::lock_guard<std::mutex> second(a);
                       },
                       [&] {
                         std::thread child([&] {
                           while (i % 5 == 0 && !flag.load()) {
                           }
                         });
                         child.join();
                       }};
      const rt::Outcome outcome =
          run_seeded(executor, bodies, static_cast<std::uint64_t>(i), options);
      ++failures[static_cast<int>(outcome.failure)];
    }
  };
  run_batch(0, 500); // warm up the pool and the allocator
  const long threads = proc_status("Threads");
  const long rss_kb = proc_status("VmRSS");
  run_batch(500, 5000);
  EXPECT_EQ(proc_status("Threads"), threads);
  EXPECT_LT(proc_status("VmRSS") - rss_kb, 4 * 1024) << "RSS grew from " << rss_kb << " kB";
  EXPECT_GT(failures[static_cast<int>(rt::FailureKind::Deadlock)], 100);
  EXPECT_GT(failures[static_cast<int>(rt::FailureKind::Exception)], 100);
  EXPECT_GT(failures[static_cast<int>(rt::FailureKind::Livelock)], 100);
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

} // namespace
} // namespace interlace::testing
