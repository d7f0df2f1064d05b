// Mutex interception: every type, cooperative blocking, deadlock reports.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cerrno>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

struct Account {
  std::mutex mutex;
  int balance = 100;

  void withdraw(int amount) {
    std::lock_guard<std::mutex> guard(mutex);
    const int seen = balance;
    balance = seen - amount;
  }
};

TEST(MutexTest, AStdMutexKeepsACounterExactOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Account account;
    Bodies bodies(3, [&] { account.withdraw(10); });
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
    ASSERT_EQ(account.balance, 70) << "seed " << seed;
  }
}

TEST(MutexTest, ABlockedThreadHandsItsTurnOn) {
  // Thread 0 takes the lock, is preempted inside; thread 1 then blocks on the lock and the
  // runtime must give the turn back to thread 0 instead of hanging.
  rt::Executor executor;
  Account account;
  Bodies bodies(2, [&] { account.withdraw(10); });
  // 0: start, read the closure, lock; 1: the same, but its lock blocks -> back to 0.
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 1, 1, 1});
  ASSERT_FALSE(outcome.failed()) << outcome.message;
  EXPECT_EQ(account.balance, 80);
  bool thread1_blocked_then_locked = false;
  int lock_attempts_by_1 = 0;
  for (const rt::StepRecord &step : executor.trace()) {
    if (step.thread == 1 && step.event.kind == rt::EventKind::Lock) {
      ++lock_attempts_by_1;
    }
  }
  thread1_blocked_then_locked = lock_attempts_by_1 == 2; // tried, blocked, retried
  EXPECT_TRUE(thread1_blocked_then_locked) << lock_attempts_by_1;
}

TEST(MutexTest, LockOrderInversionIsADeadlockThatNamesHoldersAndWaiters) {
  rt::Executor executor;
  std::mutex a;
  std::mutex b;
  Bodies bodies = {[&] {
                     std::lock_guard<std::mutex> first(a);
                     std::lock_guard<std::mutex> second(b);
                   },
                   [&] {
                     std::lock_guard<std::mutex> first(b);
                     std::lock_guard<std::mutex> second(a);
                   }};
  // 0 takes a (start, closure read, lock), 1 takes b, then each wants the other's.
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 1, 1, 1});
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_NE(outcome.message.find("deadlock"), std::string::npos);
  EXPECT_NE(outcome.details.find("thread 0 waits for mutex"), std::string::npos) << outcome.details;
  EXPECT_NE(outcome.details.find("held by thread 1"), std::string::npos) << outcome.details;
  EXPECT_NE(outcome.details.find("thread 1 waits for mutex"), std::string::npos);
  EXPECT_NE(outcome.details.find("held by thread 0"), std::string::npos);
  EXPECT_NE(outcome.details.find("mutex_test.cpp:"), std::string::npos) << outcome.details;
}

TEST(MutexTest, RelockingANormalMutexIsASelfDeadlock) {
  rt::Executor executor;
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  Bodies bodies = {[&] {
    pthread_mutex_lock(&mutex);
    pthread_mutex_lock(&mutex);
  }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Deadlock);
  EXPECT_NE(outcome.details.find("held by thread 0"), std::string::npos) << outcome.details;
}

TEST(MutexTest, ARecursiveMutexRelocksAndReleasesOnTheLastUnlock) {
  rt::Executor executor;
  std::recursive_mutex mutex;
  int inside = 0;
  Bodies bodies(2, [&] {
    std::lock_guard<std::recursive_mutex> outer(mutex);
    std::lock_guard<std::recursive_mutex> inner(mutex);
    ++inside;
  });
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    inside = 0;
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
    ASSERT_EQ(inside, 2);
  }
}

TEST(MutexTest, AnErrorCheckingMutexReportsRelockAndForeignUnlock) {
  rt::Executor executor;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, &attr);
  int relock = -1;
  int foreign_unlock = -1;
  Bodies bodies = {[&] {
    pthread_mutex_lock(&mutex);
    relock = pthread_mutex_lock(&mutex);
    std::thread other([&] { foreign_unlock = pthread_mutex_unlock(&mutex); });
    other.join();
    pthread_mutex_unlock(&mutex);
  }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  ASSERT_FALSE(outcome.failed()) << outcome.message;
  EXPECT_EQ(relock, EDEADLK);
  EXPECT_EQ(foreign_unlock, EPERM);
  pthread_mutex_destroy(&mutex);
}

TEST(MutexTest, TrylockOnAHeldMutexReturnsBusy) {
  rt::Executor executor;
  std::mutex mutex;
  bool got = true;
  Bodies bodies = {[&] {
    std::lock_guard<std::mutex> guard(mutex);
    std::thread other([&] { got = mutex.try_lock(); });
    other.join();
  }};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    EXPECT_FALSE(got);
  }
}

TEST(MutexTest, ATimedLockTimesOutOnlyWhenNothingElseCanRun) {
  rt::Executor executor;
  std::timed_mutex mutex;
  // The holder waits for the waiter to finish: only a timeout can end the wait.
  bool acquired = true;
  Bodies holder_joins = {[&] {
    std::lock_guard<std::timed_mutex> guard(mutex);
    std::thread waiter([&] { acquired = mutex.try_lock_for(std::chrono::hours(1)); });
    waiter.join();
  }};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, holder_joins, seed);
    ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
    EXPECT_FALSE(acquired);
  }
  // The holder releases: the timed wait always succeeds, however long the holder takes.
  int successes = 0;
  Bodies holder_releases = {[&] {
                              std::lock_guard<std::timed_mutex> guard(mutex);
                              for (int i = 0; i < 50; ++i) {
                                (void)successes;
                              }
                            },
                            [&] {
                              if (mutex.try_lock_for(std::chrono::milliseconds(1))) {
                                ++successes;
                                mutex.unlock();
                              }
                            }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    ASSERT_FALSE(run_seeded(executor, holder_releases, seed).failed());
  }
  EXPECT_EQ(successes, 50);
}

TEST(MutexTest, TheTimedWaitWithTheEarliestDeadlineTimesOutFirst) {
  rt::Executor executor;
  std::timed_mutex mutex;
  std::vector<char> order;
  Bodies bodies = {[&] {
    std::lock_guard<std::timed_mutex> guard(mutex);
    // Created first (a lower id) but with the later deadline.
    std::thread patient([&] {
      if (!mutex.try_lock_for(std::chrono::hours(1))) {
        order.push_back('p');
      }
    });
    std::thread hasty([&] {
      if (!mutex.try_lock_for(std::chrono::milliseconds(1))) {
        order.push_back('h');
      }
    });
    hasty.join();
    patient.join();
  }};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    order.clear();
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    EXPECT_EQ(std::string(order.begin(), order.end()), "hp") << "seed " << seed;
  }
}

TEST(MutexTest, AMutexTakenOutsideExecutionsIsTheRealOne) {
  std::mutex mutex;
  long total = 0;
  auto add = [&] {
    for (int i = 0; i < 20000; ++i) {
      std::lock_guard<std::mutex> guard(mutex);
      ++total;
    }
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  EXPECT_EQ(total, 40000);
}

} // namespace
} // namespace interlace::testing
