// Condition variables: modelled waits, lost wakeups as deadlocks, timed waits, teardown.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

using namespace std::chrono_literals;

struct Queue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<int> items;
  int taken = 0;

  void push(int value) {
    {
      std::lock_guard<std::mutex> guard(mutex);
      items.push_back(value);
    }
    ready.notify_one();
  }
  int pop() {
    std::unique_lock<std::mutex> lock(mutex);
    ready.wait(lock, [&] { return !items.empty(); });
    const int value = items.front();
    items.pop_front();
    ++taken;
    return value;
  }
};

TEST(CondvarTest, AProducerAndTwoConsumersHoldOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Queue queue;
    int sums[2] = {0, 0};
    Bodies bodies = {[&] {
                       for (int i = 1; i <= 4; ++i) {
                         queue.push(i);
                       }
                     },
                     [&] { sums[0] = queue.pop() + queue.pop(); },
                     [&] { sums[1] = queue.pop() + queue.pop(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(sums[0] + sums[1], 10);
    ASSERT_EQ(queue.taken, 4);
  }
}

// The classic lost wakeup: the flag is set and the notification sent without the mutex, so
// both can fall between the waiter's check and its wait.
struct Handshake {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
};

TEST(CondvarTest, NotifyingWithoutTheMutexLosesAWakeupFoundAsADeadlock) {
  rt::Executor executor;
  rt::Outcome found;
  std::uint64_t seed = 0;
  for (; seed < 500 && !found.failed(); ++seed) {
    Handshake handshake;
    Bodies bodies = {[&] {
                       std::unique_lock<std::mutex> lock(handshake.mutex);
                       while (!handshake.ready) {
                         handshake.cv.wait(lock);
                       }
                     },
                     [&] {
                       handshake.ready = true; // not under the mutex
                       handshake.cv.notify_one();
                     }};
    found = run_seeded(executor, bodies, seed);
  }
  ASSERT_EQ(found.failure, rt::FailureKind::Deadlock) << found.message;
  EXPECT_EQ(found.message, "deadlock: thread 0 blocked and no managed thread can run");
  EXPECT_NE(found.details.find("thread 0 waits for condvar 0x"), std::string::npos)
      << found.details;
  EXPECT_NE(found.details.find("only a signal or broadcast ends this wait"), std::string::npos);
  EXPECT_NE(found.details.find("thread 1 has finished"), std::string::npos);
  EXPECT_NE(found.details.find("no cycle"), std::string::npos) << found.details;
}

TEST(CondvarTest, TheSameHandshakeUnderTheMutexHoldsOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Handshake handshake;
    Bodies bodies = {[&] {
                       std::unique_lock<std::mutex> lock(handshake.mutex);
                       handshake.cv.wait(lock, [&] { return handshake.ready; });
                     },
                     [&] {
                       {
                         std::lock_guard<std::mutex> guard(handshake.mutex);
                         handshake.ready = true;
                       }
                       handshake.cv.notify_one();
                     }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
  }
}

TEST(CondvarTest, SignalWakesOneWaiterAndBroadcastWakesAll) {
  rt::Executor executor;
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  int waiting = 0;
  int woken = 0;
  int after_signal = -1;
  auto waiter = [&] {
    pthread_mutex_lock(&mutex);
    ++waiting;
    pthread_cond_wait(&cond, &mutex);
    ++woken;
    pthread_mutex_unlock(&mutex);
  };
  Bodies bodies = {waiter, waiter, waiter, [&] {
                     // Wait until all three wait (sched_yield is a yield point).
                     for (;;) {
                       pthread_mutex_lock(&mutex);
                       const bool all = waiting == 3;
                       pthread_mutex_unlock(&mutex);
                       if (all) {
                         break;
                       }
                       sched_yield();
                     }
                     pthread_mutex_lock(&mutex);
                     pthread_cond_signal(&cond);
                     pthread_mutex_unlock(&mutex);
                     for (int i = 0; i < 20; ++i) {
                       sched_yield(); // the signalled waiter can finish
                     }
                     pthread_mutex_lock(&mutex);
                     after_signal = woken;
                     pthread_cond_broadcast(&cond);
                     pthread_mutex_unlock(&mutex);
                   }};
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    waiting = 0;
    woken = 0;
    const rt::Outcome outcome = run_seeded(executor, bodies, seed, {}, 0);
    ASSERT_FALSE(outcome.failed()) << outcome.message << outcome.details;
    EXPECT_EQ(after_signal, 1) << "seed " << seed;
    EXPECT_EQ(woken, 3);
  }
}

TEST(CondvarTest, WaitForTimesOutOnlyWhenNothingElseCanRun) {
  rt::Executor executor;
  // Nobody notifies: the wait times out (the clock jumps to its deadline, so libstdc++'s own
  // clock check agrees), however long the timeout.
  std::cv_status status = std::cv_status::no_timeout;
  std::chrono::steady_clock::duration waited{};
  Handshake handshake;
  Bodies alone = {[&] {
    std::unique_lock<std::mutex> lock(handshake.mutex);
    const auto start = std::chrono::steady_clock::now();
    status = handshake.cv.wait_for(lock, 1h);
    waited = std::chrono::steady_clock::now() - start;
  }};
  const auto real_start = std::chrono::steady_clock::now();
  ASSERT_FALSE(run_seeded(executor, alone, 0).failed());
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, 10s);
  EXPECT_EQ(status, std::cv_status::timeout);
  EXPECT_GE(waited, 1h);
  // A notifier that eventually sets the flag always wins over a short timeout.
  int successes = 0;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Handshake shared;
    Bodies bodies = {[&] {
                       std::unique_lock<std::mutex> lock(shared.mutex);
                       if (shared.cv.wait_for(lock, 1ms, [&] { return shared.ready; })) {
                         ++successes;
                       }
                     },
                     [&] {
                       for (int i = 0; i < 10; ++i) {
                         std::this_thread::yield();
                       }
                       std::lock_guard<std::mutex> guard(shared.mutex);
                       shared.ready = true;
                       shared.cv.notify_all();
                     }};
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
  }
  EXPECT_EQ(successes, 500);
}

TEST(CondvarTest, TimedWaitsHonourTheCondvarClockAndAPastDeadline) {
  rt::Executor executor;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_t cond;
  pthread_cond_init(&cond, &attr);
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  int monotonic_rc = -1;
  int past_rc = -1;
  int bad_rc = -1;
  long long elapsed_ms = -1;
  Bodies bodies = {[&] {
    pthread_mutex_lock(&mutex);
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    timespec deadline = start;
    deadline.tv_sec += 5;
    monotonic_rc = pthread_cond_timedwait(&cond, &mutex, &deadline);
    timespec end{};
    clock_gettime(CLOCK_MONOTONIC, &end);
    elapsed_ms = (end.tv_sec - start.tv_sec) * 1000LL + (end.tv_nsec - start.tv_nsec) / 1000000;
    past_rc = pthread_cond_clockwait(&cond, &mutex, CLOCK_MONOTONIC, &start); // in the past
    timespec bad{0, -1};
    bad_rc = pthread_cond_clockwait(&cond, &mutex, CLOCK_MONOTONIC, &bad);
    pthread_mutex_unlock(&mutex);
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(monotonic_rc, ETIMEDOUT);
  EXPECT_GE(elapsed_ms, 5000); // the execution's clock moved to the deadline
  EXPECT_LT(elapsed_ms, 6000);
  EXPECT_EQ(past_rc, ETIMEDOUT);
  EXPECT_EQ(bad_rc, EINVAL);
  pthread_cond_destroy(&cond);
}

TEST(CondvarTest, ConditionVariableAnyWorksWithASharedMutex) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    std::shared_mutex mutex;
    std::condition_variable_any cv;
    int stage = 0;
    Bodies bodies = {[&] {
                       std::unique_lock<std::shared_mutex> lock(mutex);
                       cv.wait(lock, [&] { return stage == 1; });
                       stage = 2;
                       cv.notify_all();
                     },
                     [&] {
                       {
                         std::unique_lock<std::shared_mutex> lock(mutex);
                         stage = 1;
                       }
                       cv.notify_all();
                       std::shared_lock<std::shared_mutex> lock(mutex);
                       cv.wait(lock, [&] { return stage == 2; });
                     }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(stage, 2);
  }
}

// Global on purpose: the teardown must give it back even though its waiter was unwound.
std::mutex g_cv_mutex;
std::condition_variable g_cv;

TEST(CondvarTest, AWaiterIsUnwoundWithItsMutexWhenAnotherThreadThrows) {
  rt::Executor executor;
  std::atomic<int> constructed{0};
  std::atomic<int> destroyed{0};
  struct Guard {
    std::atomic<int> *counter;
    ~Guard() { counter->fetch_add(1); }
  };
  Bodies bodies = {[&] {
                     constructed.fetch_add(1);
                     Guard guard{&destroyed};
                     std::unique_lock<std::mutex> lock(g_cv_mutex);
                     g_cv.wait(lock); // nobody notifies
                   },
                   [&] {
                     for (int i = 0; i < 3; ++i) {
                       std::this_thread::yield();
                     }
                     throw std::runtime_error("boom");
                   }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Exception) << outcome.message;
    EXPECT_EQ(destroyed.load(), constructed.load());
    ASSERT_TRUE(g_cv_mutex.try_lock()) << "the teardown left the mutex locked, seed " << seed;
    g_cv_mutex.unlock();
  }
  EXPECT_GT(constructed.load(), 10);
}

TEST(CondvarTest, ANotifyInAnExecutionAlsoWakesThreadsOutsideIt) {
  Handshake handshake;
  std::thread outside([&] { // not managed: a real condvar wait
    std::unique_lock<std::mutex> lock(handshake.mutex);
    handshake.cv.wait(lock, [&] { return handshake.ready; });
  });
  std::this_thread::sleep_for(20ms);
  rt::Executor executor;
  Bodies bodies = {[&] {
    {
      std::lock_guard<std::mutex> guard(handshake.mutex);
      handshake.ready = true;
    }
    handshake.cv.notify_one();
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  outside.join(); // returns only if the real waiter was woken
}

TEST(CondvarTest, CondvarsOutsideExecutionsAreTheRealOnes) {
  Handshake handshake;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(handshake.mutex);
    handshake.cv.wait(lock, [&] { return handshake.ready; });
  });
  {
    std::lock_guard<std::mutex> guard(handshake.mutex);
    handshake.ready = true;
  }
  handshake.cv.notify_one();
  waiter.join();
  std::unique_lock<std::mutex> lock(handshake.mutex);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(handshake.cv.wait_for(lock, 20ms), std::cv_status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms); // really waited
}

} // namespace
} // namespace interlace::testing
