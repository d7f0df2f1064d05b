// Thread interception: create, join, detach, exit inside managed threads.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

void *return_argument(void *arg) { return arg; }

void *exit_with_argument(void *arg) {
  pthread_exit(arg);
  return nullptr;
}

TEST(ThreadsTest, PthreadJoinDeliversTheReturnValue) {
  rt::Executor executor;
  void *result = nullptr;
  Bodies bodies = {[&] {
    pthread_t child;
    ASSERT_EQ(pthread_create(&child, nullptr, &return_argument, reinterpret_cast<void *>(42)), 0);
    ASSERT_EQ(pthread_join(child, &result), 0);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(reinterpret_cast<std::intptr_t>(result), 42);
  EXPECT_EQ(executor.num_threads(), 2);
}

TEST(ThreadsTest, PthreadExitEndsOnlyTheCallingManagedThread) {
  rt::Executor executor;
  void *result = nullptr;
  Bodies bodies = {[&] {
    pthread_t child;
    pthread_create(&child, nullptr, &exit_with_argument, reinterpret_cast<void *>(7));
    pthread_join(child, &result);
  }};
  const int workers_before = rt::pooled_worker_count();
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(run_seeded(executor, bodies, static_cast<std::uint64_t>(i)).failed());
  }
  EXPECT_EQ(reinterpret_cast<std::intptr_t>(result), 7);
  EXPECT_LE(rt::pooled_worker_count(), workers_before + 2);
}

TEST(ThreadsTest, JoiningYourselfIsAnError) {
  rt::Executor executor;
  int rc = 0;
  Bodies bodies = {[&] { rc = pthread_join(pthread_self(), nullptr); }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(rc, EDEADLK);
}

TEST(ThreadsTest, JoiningADetachedThreadIsAnError) {
  rt::Executor executor;
  int rc = 0;
  Bodies bodies = {[&] {
    pthread_t child;
    pthread_create(&child, nullptr, &return_argument, nullptr);
    pthread_detach(child);
    rc = pthread_join(child, nullptr);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(rc, EINVAL);
}

TEST(ThreadsTest, ADetachedThreadRunsToCompletionBeforeTheExecutionEnds) {
  rt::Executor executor;
  std::atomic<int> finished{0};
  Bodies bodies = {[&] {
    std::thread child([&] {
      for (int i = 0; i < 10; ++i) {
        finished.fetch_add(1);
      }
    });
    child.detach();
  }};
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    finished = 0;
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    EXPECT_EQ(finished.load(), 10);
  }
}

TEST(ThreadsTest, ChildThreadsInterleaveWithTheirParents) {
  rt::Executor executor;
  int value = 0;
  auto increment = [&] {
    const int seen = value;
    value = seen + 1;
  };
  bool lost_update_seen = false;
  Bodies bodies = {[&] {
    std::thread child(increment);
    increment();
    child.join();
  }};
  for (std::uint64_t seed = 0; seed < 200 && !lost_update_seen; ++seed) {
    value = 0;
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    lost_update_seen = value == 1;
  }
  EXPECT_TRUE(lost_update_seen);
}

TEST(ThreadsTest, JoiningWaitsForTheChildUnderEverySchedule) {
  rt::Executor executor;
  std::atomic<int> value{0};
  Bodies bodies = {[&] {
    std::thread child([&] { value.store(5); });
    child.join();
    value.store(value.load() * 2);
  }};
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    ASSERT_EQ(value.load(), 10);
  }
}

} // namespace
} // namespace interlace::testing
