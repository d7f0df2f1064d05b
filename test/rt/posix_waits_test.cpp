// POSIX semaphores, pthread barriers, pthread_once and std::call_once.
#include <gtest/gtest.h>
#include <pthread.h>
#include <semaphore.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

struct Channel {
  sem_t items{};
  std::mutex mutex;
  std::deque<int> queue;
  Channel() { sem_init(&items, 0, 0); }
  ~Channel() { sem_destroy(&items); }
  Channel(const Channel &) = delete;
  Channel &operator=(const Channel &) = delete;

  void send(int value) {
    {
      std::lock_guard<std::mutex> guard(mutex);
      queue.push_back(value);
    }
    sem_post(&items);
  }
  int receive() {
    while (sem_wait(&items) != 0) {
    }
    std::lock_guard<std::mutex> guard(mutex);
    const int value = queue.front();
    queue.pop_front();
    return value;
  }
};

TEST(SemaphoreTest, ASemaphoreHandsItemsOverOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Channel channel;
    int received[2] = {0, 0};
    Bodies bodies = {[&] {
                       for (int i = 1; i <= 3; ++i) {
                         channel.send(i);
                       }
                     },
                     [&] { received[0] = channel.receive() + channel.receive(); },
                     [&] { received[1] = channel.receive(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(received[0] + received[1], 6);
  }
}

TEST(SemaphoreTest, AWaitWithoutAPostIsADeadlockThatNamesTheSemaphore) {
  rt::Executor executor;
  Channel channel;
  Bodies bodies = {[&] { channel.send(1); },
                   [&] {
                     channel.receive();
                     channel.receive(); // one item only
                   }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
    EXPECT_NE(outcome.details.find("thread 1 waits for semaphore 0x"), std::string::npos)
        << outcome.details;
    EXPECT_NE(outcome.details.find("(its count is 0: only a sem_post ends this wait)"),
              std::string::npos);
  }
}

TEST(SemaphoreTest, TrywaitAndTimedWaitsFollowPosix) {
  rt::Executor executor;
  sem_t sem;
  sem_init(&sem, 0, 0);
  int try_rc = 0;
  int try_errno = 0;
  int timed_rc = 0;
  int timed_errno = 0;
  int clock_rc = 0;
  int posted_rc = -1;
  Bodies bodies = {[&] {
    try_rc = sem_trywait(&sem);
    try_errno = errno;
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    timed_rc = sem_timedwait(&sem, &deadline); // nothing else can run: times out
    timed_errno = errno;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    clock_rc = sem_clockwait(&sem, CLOCK_MONOTONIC, &deadline); // in the past
    sem_post(&sem);
    posted_rc = sem_timedwait(&sem, &deadline); // available: no timeout
  }};
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  EXPECT_EQ(try_rc, -1);
  EXPECT_EQ(try_errno, EAGAIN);
  EXPECT_EQ(timed_rc, -1);
  EXPECT_EQ(timed_errno, ETIMEDOUT);
  EXPECT_EQ(clock_rc, -1);
  EXPECT_EQ(posted_rc, 0);
  sem_destroy(&sem);
}

struct Rounds {
  pthread_barrier_t barrier{};
  std::atomic<int> arrived[2] = {0, 0};
  std::atomic<int> serial{0};
  bool early = false;
  explicit Rounds(unsigned count) { pthread_barrier_init(&barrier, nullptr, count); }
  ~Rounds() { pthread_barrier_destroy(&barrier); }
  Rounds(const Rounds &) = delete;
  Rounds &operator=(const Rounds &) = delete;

  void run(int threads) {
    for (int round = 0; round < 2; ++round) {
      arrived[round].fetch_add(1);
      if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
        serial.fetch_add(1);
      }
      early = early || arrived[round].load() != threads;
    }
  }
};

TEST(BarrierTest, APthreadBarrierReleasesEveryRoundTogetherOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Rounds rounds(3);
    Bodies bodies(3, [&] { rounds.run(3); });
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_FALSE(rounds.early);
    ASSERT_EQ(rounds.serial.load(), 2); // one serial thread per round
  }
}

TEST(BarrierTest, AMissingArrivalIsADeadlockThatCountsTheArrivals) {
  rt::Executor executor;
  Rounds rounds(3);
  Bodies bodies(2, [&] { rounds.run(2); });
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_NE(outcome.details.find("waits for barrier 0x"), std::string::npos) << outcome.details;
  EXPECT_NE(outcome.details.find("(2 of 3 threads arrived: only more arrivals end this wait)"),
            std::string::npos)
      << outcome.details;
}

TEST(OnceTest, CallOnceRunsTheInitialiserOnceOver500Schedules) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    std::once_flag flag;
    std::atomic<int> runs{0};
    int value = 0;
    int seen[3] = {0, 0, 0};
    Bodies bodies;
    for (int t = 0; t < 3; ++t) {
      bodies.emplace_back([&, t] {
        std::call_once(flag, [&] {
          runs.fetch_add(1);
          value = 42; // a yield point inside the initialiser
        });
        seen[t] = value;
      });
    }
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(runs.load(), 1);
    ASSERT_EQ(seen[0] + seen[1] + seen[2], 126);
  }
}

TEST(OnceTest, AThrowingInitialiserLetsTheNextCallerRunIt) {
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    std::once_flag flag;
    std::atomic<int> attempts{0};
    std::atomic<int> threw{0};
    Bodies bodies(2, [&] {
      try {
        std::call_once(flag, [&] {
          if (attempts.fetch_add(1) == 0) {
            throw std::runtime_error("first attempt fails");
          }
        });
      } catch (const std::runtime_error &) {
        threw.fetch_add(1);
      }
    });
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message << outcome.details;
    ASSERT_EQ(attempts.load(), 2);
    ASSERT_EQ(threw.load(), 1);
  }
}

TEST(OnceTest, ARecursiveCallOnceIsASelfDeadlock) {
  rt::Executor executor;
  std::once_flag flag;
  Bodies bodies = {[&] { std::call_once(flag, [&] { std::call_once(flag, [] {}); }); }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 0);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Deadlock) << outcome.message;
  EXPECT_NE(outcome.details.find("thread 0 waits for pthread_once 0x"), std::string::npos)
      << outcome.details;
  EXPECT_NE(outcome.details.find("(std::call_once) being run by thread 0"), std::string::npos);
  EXPECT_NE(outcome.details.find("cycle: thread 0 -> thread 0"), std::string::npos);
  // The unwound initialiser reset the flag: it can run again.
  int ran = 0;
  std::call_once(flag, [&] { ++ran; });
  EXPECT_EQ(ran, 1);
}

TEST(OnceTest, PthreadOnceOutsideExecutionsIsTheRealOne) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  static int runs = 0;
  std::thread a([] { pthread_once(&once, [] { ++runs; }); });
  std::thread b([] { pthread_once(&once, [] { ++runs; }); });
  a.join();
  b.join();
  EXPECT_EQ(runs, 1);
}

TEST(SemaphoreTest, SemaphoresBarriersAndSpinlocksOutsideExecutionsAreTheRealOnes) {
  sem_t sem;
  sem_init(&sem, 0, 0);
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, nullptr, 2);
  pthread_spinlock_t spin;
  pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
  int serial = 0;
  std::thread poster([&] {
    if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
      pthread_spin_lock(&spin);
      ++serial;
      pthread_spin_unlock(&spin);
    }
    sem_post(&sem);
  });
  if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
    pthread_spin_lock(&spin);
    ++serial;
    pthread_spin_unlock(&spin);
  }
  EXPECT_EQ(sem_wait(&sem), 0);
  poster.join();
  EXPECT_EQ(serial, 1);
  // A timed wait with nothing to take really waits until its deadline.
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  timespec deadline = start;
  deadline.tv_nsec += 20'000'000;
  if (deadline.tv_nsec >= 1'000'000'000) {
    deadline.tv_nsec -= 1'000'000'000;
    ++deadline.tv_sec;
  }
  EXPECT_EQ(sem_clockwait(&sem, CLOCK_MONOTONIC, &deadline), -1);
  timespec end{};
  clock_gettime(CLOCK_MONOTONIC, &end);
  EXPECT_GE((end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec),
            20'000'000LL);
  pthread_spin_destroy(&spin);
  pthread_barrier_destroy(&barrier);
  sem_destroy(&sem);
}

} // namespace
} // namespace interlace::testing
