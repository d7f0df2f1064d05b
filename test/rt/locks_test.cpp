// Read-write locks (std::shared_mutex, std::shared_timed_mutex, pthread_rwlock) and spinlocks.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

using namespace std::chrono_literals;

struct Pair {
  std::shared_mutex mutex;
  int a = 0;
  int b = 0; // always equal to a outside the lock
  std::atomic<int> readers{0};
  int most_readers = 0;
  bool torn = false;

  void write() {
    std::unique_lock<std::shared_mutex> lock(mutex);
    const int seen = a;
    a = seen + 1;
    b = seen + 1;
  }
  void read() {
    std::shared_lock<std::shared_mutex> lock(mutex);
    const int inside = readers.fetch_add(1) + 1;
    most_readers = std::max(most_readers, inside); // a race among readers, benign here
    torn = torn || a != b;
    readers.fetch_sub(1);
  }
};

TEST(RwlockTest, ASharedMutexKeepsWritersExclusiveAndLetsReadersShareOver500Schedules) {
  rt::Executor executor;
  bool readers_overlapped = false;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Pair pair;
    Bodies bodies = {[&] { pair.write(); }, [&] { pair.write(); }, [&] { pair.read(); },
                     [&] { pair.read(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(pair.a, 2);
    ASSERT_FALSE(pair.torn);
    readers_overlapped = readers_overlapped || pair.most_readers == 2;
  }
  EXPECT_TRUE(readers_overlapped);
}

TEST(RwlockTest, LockOrderInversionWithSharedMutexesIsADeadlockWithItsCycle) {
  rt::Executor executor;
  std::shared_mutex first;
  std::shared_mutex second;
  Bodies bodies = {[&] {
                     std::unique_lock<std::shared_mutex> a(first);
                     std::shared_lock<std::shared_mutex> b(second);
                   },
                   [&] {
                     std::unique_lock<std::shared_mutex> b(second);
                     std::unique_lock<std::shared_mutex> a(first);
                   }};
  // Each takes its first lock (start, closure read, lock), then wants the other's.
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 1, 1, 1});
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_NE(outcome.details.find("thread 0 waits for rwlock 0x"), std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find(" to read, held for writing by thread 1 (taken at "
                                 "locks_test.cpp:68)"),
            std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find(" to write, held for writing by thread 0"), std::string::npos);
  EXPECT_NE(outcome.details.find("cycle: thread 0 -> thread 1 -> thread 0"), std::string::npos);
}

TEST(RwlockTest, UpgradingAReadLockIsASelfDeadlock) {
  rt::Executor executor;
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  Bodies bodies = {[&] {
    pthread_rwlock_rdlock(&rwlock);
    pthread_rwlock_wrlock(&rwlock);
  }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_NE(outcome.details.find("to write, held for reading by thread 0"), std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find("cycle: thread 0 -> thread 0"), std::string::npos);
}

TEST(RwlockTest, RelockingWhileHoldingTheWriteLockIsAnError) {
  rt::Executor executor;
  pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
  int write_again = -1;
  int read_too = -1;
  int try_read = -1;
  Bodies bodies = {[&] {
    pthread_rwlock_wrlock(&rwlock);
    write_again = pthread_rwlock_wrlock(&rwlock);
    read_too = pthread_rwlock_rdlock(&rwlock);
    try_read = pthread_rwlock_tryrdlock(&rwlock);
    pthread_rwlock_unlock(&rwlock);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(write_again, EDEADLK);
  EXPECT_EQ(read_too, EDEADLK);
  EXPECT_EQ(try_read, EBUSY);
}

TEST(RwlockTest, TimedLocksTimeOutOnlyWhenNothingElseCanRun) {
  rt::Executor executor;
  std::shared_timed_mutex mutex;
  bool shared = true;
  bool exclusive = true;
  // The writer waits for the waiters to end: only timeouts can end their waits.
  Bodies holder_joins = {[&] {
    std::unique_lock<std::shared_timed_mutex> lock(mutex);
    std::thread reader([&] { shared = mutex.try_lock_shared_for(1h); });
    std::thread writer([&] { exclusive = mutex.try_lock_for(1h); });
    reader.join();
    writer.join();
  }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, holder_joins, seed);
    ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
    EXPECT_FALSE(shared);
    EXPECT_FALSE(exclusive);
  }
  // The writer releases: the timed waits succeed, however short.
  int successes = 0;
  Bodies holder_releases = {[&] {
                              std::unique_lock<std::shared_timed_mutex> lock(mutex);
                              for (int i = 0; i < 5; ++i) {
                                std::this_thread::yield();
                              }
                            },
                            [&] {
                              if (mutex.try_lock_shared_for(1ms)) {
                                ++successes;
                                mutex.unlock_shared();
                              }
                            }};
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    ASSERT_FALSE(run_seeded(executor, holder_releases, seed).failed());
  }
  EXPECT_EQ(successes, 100);
}

TEST(RwlockTest, RwlocksOutsideExecutionsAreTheRealOnes) {
  std::shared_mutex mutex;
  long total = 0;
  auto add = [&] {
    for (int i = 0; i < 10000; ++i) {
      std::unique_lock<std::shared_mutex> lock(mutex);
      ++total;
    }
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  std::shared_lock<std::shared_mutex> lock(mutex);
  EXPECT_EQ(total, 20000);
}

struct SpinCounter {
  pthread_spinlock_t lock{};
  int value = 0;
  SpinCounter() { pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE); }
  ~SpinCounter() { pthread_spin_destroy(&lock); }
  SpinCounter(const SpinCounter &) = delete;
  SpinCounter &operator=(const SpinCounter &) = delete;
  void add() {
    pthread_spin_lock(&lock);
    const int seen = value;
    value = seen + 1;
    pthread_spin_unlock(&lock);
  }
};

TEST(SpinlockTest, ASpinlockGuardsACounterOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    SpinCounter counter;
    Bodies bodies(3, [&] {
      counter.add();
      counter.add();
    });
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message;
    ASSERT_EQ(counter.value, 6);
  }
}

TEST(SpinlockTest, SpinlockInversionIsADeadlockThatNamesTheSpinlocks) {
  rt::Executor executor;
  SpinCounter a;
  SpinCounter b;
  int busy = 0;
  Bodies bodies = {[&] {
                     pthread_spin_lock(&a.lock);
                     pthread_spin_lock(&b.lock);
                   },
                   [&] {
                     pthread_spin_lock(&b.lock);
                     busy = pthread_spin_trylock(&a.lock);
                     pthread_spin_lock(&a.lock);
                   }};
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 1, 1, 1});
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_EQ(busy, EBUSY);
  EXPECT_NE(outcome.details.find("thread 0 waits for spinlock 0x"), std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find("held by thread 1"), std::string::npos);
  EXPECT_NE(outcome.details.find("cycle: thread 0 -> thread 1 -> thread 0"), std::string::npos);
}

} // namespace
} // namespace interlace::testing
