// What a deadlock or livelock report says: each thread's wait, who holds it, where it was
// taken, the cycle, a missing unlock; each thread's last steps.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <future>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

TEST(DeadlockTest, AThreeThreadRingNamesEveryHolderAndTheCycle) {
  rt::Executor executor;
  rt::Outcome outcome;
  for (std::uint64_t seed = 0; seed < 500 && !outcome.failed(); ++seed) {
    std::mutex locks[3];
    Bodies bodies;
    for (int t = 0; t < 3; ++t) {
      bodies.emplace_back([&, t] {
        std::lock_guard<std::mutex> mine(locks[t]);
        std::lock_guard<std::mutex> next(locks[(t + 1) % 3]);
      });
    }
    outcome = run_seeded(executor, bodies, seed);
  }
  // Only a full ring can deadlock: every thread holds its own lock and wants the next.
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_EQ(outcome.message.find("deadlock: thread "), 0u) << outcome.message;
  for (int t = 0; t < 3; ++t) {
    EXPECT_NE(outcome.details.find("thread " + std::to_string(t) + " waits for mutex 0x"),
              std::string::npos)
        << outcome.details;
    EXPECT_NE(outcome.details.find("held by thread " + std::to_string((t + 1) % 3) +
                                   " (taken at deadlock_test.cpp:26)"),
              std::string::npos)
        << outcome.details;
  }
  EXPECT_NE(outcome.details.find("  cycle: thread 0 -> thread 1 -> thread 2 -> thread 0\n"),
            std::string::npos)
      << outcome.details;
}

TEST(DeadlockTest, AMissingUnlockIsNamedWhenAnotherThreadWaits) {
  rt::Executor executor;
  rt::Outcome found;
  for (std::uint64_t seed = 0; seed < 200 && !found.failed(); ++seed) {
    std::mutex mutex;
    int value = 0;
    Bodies bodies = {[&] {
                       mutex.lock();
                       ++value; // and no unlock
                     },
                     [&] {
                       std::lock_guard<std::mutex> guard(mutex);
                       ++value;
                     }};
    found = run_seeded(executor, bodies, seed);
  }
  ASSERT_EQ(found.failure, rt::FailureKind::Deadlock) << found.message;
  EXPECT_NE(found.details.find("thread 0 has finished"), std::string::npos) << found.details;
  EXPECT_NE(found.details.find("thread 1 waits for mutex 0x"), std::string::npos);
  EXPECT_NE(found.details.find("held by thread 0, which finished without unlocking it (missing "
                               "unlock; taken at deadlock_test.cpp:56)"),
            std::string::npos)
      << found.details;
}

void *join_argument(void *arg) {
  pthread_join(*static_cast<pthread_t *>(arg), nullptr);
  return nullptr;
}

TEST(DeadlockTest, ThreadsJoiningEachOtherAreACycle) {
  rt::Executor executor;
  Bodies bodies = {[] {
    pthread_t parent = pthread_self();
    pthread_t child;
    pthread_create(&child, nullptr, &join_argument, &parent);
    pthread_join(child, nullptr);
  }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
    EXPECT_NE(outcome.details.find("thread 0 waits for the end of thread 1 (join)"),
              std::string::npos)
        << outcome.details;
    EXPECT_NE(outcome.details.find("thread 1 waits for the end of thread 0 (join)"),
              std::string::npos);
    EXPECT_NE(outcome.details.find("cycle: thread 0 -> thread 1 -> thread 0"), std::string::npos);
  }
}

TEST(DeadlockTest, AThreadJoiningItselfIsNamed) {
  rt::Executor executor;
  Bodies bodies = {[] {
    std::promise<std::thread *> handle;
    std::thread child([future = handle.get_future()]() mutable { future.get()->join(); });
    handle.set_value(&child);
    child.join();
  }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Exception) << outcome.message;
    const std::string expected =
        "thread 1 threw std::system_error: " +
        std::make_error_code(std::errc::resource_deadlock_would_occur).message();
    EXPECT_EQ(outcome.message, expected);
  }
}

TEST(LivelockTest, TheStepCapReportShowsEachThreadsLastSteps) {
  rt::Executor executor;
  std::atomic<bool> never{false};
  std::atomic<int> polls{0};
  Bodies bodies = {[&] {
                     while (!never.load()) {
                     }
                   },
                   [&] {
                     while (!never.load()) {
                       polls.fetch_add(1);
                       std::this_thread::yield();
                     }
                   }};
  rt::RunOptions options;
  options.max_steps = 500;
  const rt::Outcome outcome = run_seeded(executor, bodies, 1, options, 50);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Livelock) << outcome.message;
  EXPECT_EQ(outcome.message, "livelock: the step cap of 500 steps was reached");
  EXPECT_NE(outcome.details.find("  thread 0 was at deadlock_test.cpp:"), std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find(" read (x8)\n"), std::string::npos) << outcome.details;
  EXPECT_NE(outcome.details.find("  thread 1 was at deadlock_test.cpp:"), std::string::npos);
  EXPECT_NE(outcome.details.find(" rmw, deadlock_test.cpp:128 sleep, deadlock_test.cpp:"),
            std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find("; its last 8 of "), std::string::npos);
}

} // namespace
} // namespace interlace::testing
