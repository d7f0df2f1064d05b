// Every scheduling choice is the strategy's: which waiter a wake releases, which timed wait
// expires when nothing can run, and (when enabled) spurious condvar wakeups. The executor
// records the waiter choices so that a replay makes them again.
#include <gtest/gtest.h>
#include <semaphore.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <vector>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

// Runs the lowest runnable thread (or a spurious sleeper when offered and wanted) and answers
// wake decisions with a fixed index, recording what it was asked.
class LowestFirst final : public rt::Strategy {
public:
  explicit LowestFirst(std::size_t waiter_index, bool wake_sleepers = false)
      : waiter_index_(waiter_index), wake_sleepers_(wake_sleepers) {}

  std::optional<int> next(const rt::Decision &decision) override {
    if (wake_sleepers_ && !decision.sleepers.empty()) {
      return decision.sleepers.front();
    }
    return *std::ranges::min_element(decision.candidates);
  }
  std::size_t choose_waiter(const rt::WakeDecision &decision) override {
    asked.push_back(decision.kind);
    offered.emplace_back(decision.waiters.begin(), decision.waiters.end());
    return waiter_index_;
  }

  std::vector<rt::WakeKind> asked;
  std::vector<std::vector<int>> offered;

private:
  std::size_t waiter_index_;
  bool wake_sleepers_;
};

// Threads 0 and 1 wait on a semaphore (0 first), thread 2 posts it twice: the order in which
// the waiters get through is the order of the wake choices.
struct TwoWaiters {
  sem_t sem{};
  std::mutex mutex;
  std::vector<int> order;

  TwoWaiters() { sem_init(&sem, 0, 0); }
  ~TwoWaiters() { sem_destroy(&sem); }
  TwoWaiters(const TwoWaiters &) = delete;
  TwoWaiters &operator=(const TwoWaiters &) = delete;

  void take(int id) {
    sem_wait(&sem);
    const std::lock_guard<std::mutex> guard(mutex);
    order.push_back(id);
  }
  Bodies bodies() {
    return {[this] { take(0); }, [this] { take(1); },
            [this] {
              sem_post(&sem);
              sem_post(&sem);
            }};
  }
};

TEST(SchedulingChoicesTest, ByDefaultAWakeReleasesTheFirstThreadThatBlocked) {
  rt::Executor executor;
  TwoWaiters state;
  LowestFirst strategy(0);
  ASSERT_FALSE(executor.run(state.bodies(), strategy).failed());
  EXPECT_EQ(state.order, (std::vector<int>{0, 1}));
  ASSERT_EQ(strategy.offered.size(), 1U); // the second post has one waiter left: no choice
  EXPECT_EQ(strategy.asked[0], rt::WakeKind::Notify);
  EXPECT_EQ(strategy.offered[0], (std::vector<int>{0, 1}));
  EXPECT_TRUE(executor.wake_choices().empty());
}

TEST(SchedulingChoicesTest, TheStrategyChoosesWhichWaiterAWakeReleasesAndAReplayRepeatsIt) {
  rt::Executor executor;
  std::vector<int> schedule;
  std::vector<rt::WakeChoice> choices;
  {
    TwoWaiters state;
    LowestFirst strategy(1);
    ASSERT_FALSE(executor.run(state.bodies(), strategy).failed());
    EXPECT_EQ(state.order, (std::vector<int>{1, 0}));
    schedule.assign(executor.schedule().begin(), executor.schedule().end());
    choices.assign(executor.wake_choices().begin(), executor.wake_choices().end());
    EXPECT_EQ(choices, (std::vector<rt::WakeChoice>{{0, 1}}));
  }
  {
    TwoWaiters state;
    rt::ReplayStrategy replay(schedule, choices);
    ASSERT_FALSE(executor.run(state.bodies(), replay).failed());
    EXPECT_EQ(state.order, (std::vector<int>{1, 0}));
    EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()), schedule);
  }
  {
    // Without the waiter choice the schedule names thread 1 where it is still blocked.
    TwoWaiters state;
    rt::ReplayStrategy replay(schedule);
    const rt::Outcome outcome = executor.run(state.bodies(), replay);
    EXPECT_EQ(outcome.failure, rt::FailureKind::StrategyError) << outcome.message;
  }
}

TEST(SchedulingChoicesTest, AWaiterIndexOutOfRangeIsAStrategyError) {
  rt::Executor executor;
  TwoWaiters state;
  LowestFirst strategy(2);
  const rt::Outcome outcome = executor.run(state.bodies(), strategy);
  EXPECT_EQ(outcome.failure, rt::FailureKind::StrategyError);
  EXPECT_NE(outcome.message.find("the strategy chose waiter 2 of 2"), std::string::npos)
      << outcome.message;
}

// Two timed waits that nobody ends: thread 0 waits 20 ms, thread 1 10 ms.
struct TwoTimeouts {
  sem_t sem{};
  std::mutex mutex;
  std::vector<int> order;

  TwoTimeouts() { sem_init(&sem, 0, 0); }
  ~TwoTimeouts() { sem_destroy(&sem); }
  TwoTimeouts(const TwoTimeouts &) = delete;
  TwoTimeouts &operator=(const TwoTimeouts &) = delete;

  void wait_ms(int id, long ms) {
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += ms * 1000000L;
    deadline.tv_sec += deadline.tv_nsec / 1000000000L;
    deadline.tv_nsec %= 1000000000L;
    sem_timedwait(&sem, &deadline);
    const std::lock_guard<std::mutex> guard(mutex);
    order.push_back(id);
  }
  Bodies bodies() {
    return {[this] { wait_ms(0, 20); }, [this] { wait_ms(1, 10); }};
  }
};

TEST(SchedulingChoicesTest, ByDefaultTheEarliestDeadlineExpiresFirst) {
  rt::Executor executor;
  TwoTimeouts state;
  LowestFirst strategy(0);
  ASSERT_FALSE(executor.run(state.bodies(), strategy).failed());
  EXPECT_EQ(state.order, (std::vector<int>{1, 0}));
  ASSERT_FALSE(strategy.offered.empty());
  EXPECT_EQ(strategy.asked[0], rt::WakeKind::Timeout);
  EXPECT_EQ(strategy.offered[0], (std::vector<int>{1, 0})); // earliest deadline first
}

TEST(SchedulingChoicesTest, TheStrategyMayLetALaterDeadlineExpireFirst) {
  rt::Executor executor;
  TwoTimeouts state;
  LowestFirst strategy(1);
  ASSERT_FALSE(executor.run(state.bodies(), strategy).failed());
  EXPECT_EQ(state.order, (std::vector<int>{0, 1}));
}

// A condvar wait without a predicate, which nobody signals.
struct UnsignalledWait {
  std::mutex mutex;
  std::condition_variable cv;
  bool returned = false;

  Bodies bodies() {
    return {[this] {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock);
      returned = true;
    }};
  }
};

TEST(SchedulingChoicesTest, WithoutSpuriousWakeupsAnUnsignalledWaitIsADeadlock) {
  rt::Executor executor;
  UnsignalledWait state;
  LowestFirst strategy(0, /*wake_sleepers=*/true);
  const rt::Outcome outcome = executor.run(state.bodies(), strategy);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Deadlock);
}

TEST(SchedulingChoicesTest, WithSpuriousWakeupsTheStrategyMayEndACondvarWait) {
  rt::Executor executor;
  UnsignalledWait state;
  // Thread 1 keeps a thread runnable while thread 0 waits, so that a decision is due.
  Bodies bodies = state.bodies();
  int spins = 0;
  bodies.emplace_back([&] {
    for (int i = 0; i < 4; ++i) {
      sched_yield();
      ++spins;
    }
  });
  LowestFirst strategy(0, /*wake_sleepers=*/true);
  rt::RunOptions options;
  options.spurious_wakeups = true;
  const rt::Outcome outcome = executor.run(bodies, strategy, options);
  EXPECT_FALSE(outcome.failed()) << outcome.message;
  EXPECT_TRUE(state.returned);
}

} // namespace
} // namespace interlace::testing
