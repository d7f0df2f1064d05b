// The executor: one managed thread at a time, ids in creation order, schedules replayable.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <thread>

#include "interlace/annotations.h"
#include "run_helpers.hpp"

namespace interlace::testing {

// External linkage: the optimizer may delete stores to an internal global nobody reads.
std::atomic<int> g_first{0};
std::atomic<int> g_second{0};

namespace {

TEST(ExecutorTest, RunsEveryBodyToCompletion) {
  rt::Executor executor;
  std::atomic<int> done{0};
  Bodies bodies(3, [&] { done.fetch_add(1); });
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  EXPECT_FALSE(outcome.failed()) << outcome.message;
  EXPECT_EQ(done.load(), 3);
  EXPECT_EQ(executor.num_threads(), 3);
}

// Sets `active` without yield points and checks that nobody else is active meanwhile.
INTERLACE_NO_INSTRUMENT void exclusive_section(std::atomic<int> &active,
                                               std::atomic<int> &overlaps) {
  if (active.fetch_add(1) != 0) {
    overlaps.fetch_add(1);
  }
  for (int i = 0; i < 20000; ++i) {
    if (active.load() != 1) {
      overlaps.fetch_add(1);
    }
  }
  active.fetch_sub(1);
}

TEST(ExecutorTest, OnlyOneManagedThreadRunsAtATime) {
  rt::Executor executor;
  std::atomic<int> active{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> shared{0};
  auto body = [&] {
    for (int i = 0; i < 5; ++i) {
      shared.fetch_add(1); // a yield point: threads may switch here, not inside the section
      exclusive_section(active, overlaps);
    }
  };
  Bodies bodies(3, body);
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
  }
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(ExecutorTest, ThreadIdsFollowCreationOrder) {
  rt::Executor executor;
  Bodies bodies = {[] { g_first.store(1); },
                   [] {
                     std::thread child([] { g_second.store(2); });
                     child.join();
                   }};
  ASSERT_FALSE(run_seeded(executor, bodies, 3).failed());
  ASSERT_EQ(executor.num_threads(), 3); // the two bodies, then the std::thread
  bool child_ran_as_thread_2 = false;
  for (const rt::StepRecord &step : executor.trace()) {
    if (step.event.kind == rt::EventKind::Write && step.event.addr == &g_second) {
      child_ran_as_thread_2 = step.thread == 2;
    }
  }
  EXPECT_TRUE(child_ran_as_thread_2);
}

TEST(ExecutorTest, SameChoicesGiveTheSameSchedule) {
  rt::Executor executor;
  std::atomic<int> x{0};
  Bodies bodies(3, [&] {
    for (int i = 0; i < 10; ++i) {
      x.fetch_add(1);
    }
  });
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    const std::vector<int> first(executor.schedule().begin(), executor.schedule().end());
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    const std::vector<int> second(executor.schedule().begin(), executor.schedule().end());
    EXPECT_EQ(first, second) << "seed " << seed;
  }
}

TEST(ExecutorTest, ReplayingAScheduleReproducesTheExecution) {
  rt::Executor executor;
  int value = 0;
  Bodies bodies(2, [&] {
    const int seen = value;
    value = seen + 1;
  });
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    value = 0;
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
    const int result = value;
    const std::vector<int> schedule(executor.schedule().begin(), executor.schedule().end());
    const int preemptions = executor.preemptions();
    value = 0;
    ASSERT_FALSE(run_replay(executor, bodies, schedule).failed());
    EXPECT_EQ(value, result);
    EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()), schedule);
    EXPECT_EQ(executor.preemptions(), preemptions);
  }
}

TEST(ExecutorTest, CountsSwitchesAwayFromRunnableThreadsAsPreemptions) {
  rt::Executor executor;
  Bodies bodies = {[] {
                     g_first.store(1);
                     g_first.store(2);
                   },
                   [] {
                     g_second.store(1);
                     g_second.store(2);
                   }};
  // start 0, start 1, store 0, store 1, store 0, then thread 0 ends and thread 1 takes over.
  ASSERT_FALSE(run_replay(executor, bodies, {0, 1, 0, 1, 0, 1}).failed());
  EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()),
            (std::vector<int>{0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(executor.preemptions(), 4);
  ASSERT_FALSE(run_replay(executor, bodies, {0, 0, 0, 1, 1, 1}).failed());
  EXPECT_EQ(executor.preemptions(), 0);
}

TEST(ExecutorTest, AStrategyNamingAThreadThatCannotRunIsAStrategyError) {
  rt::Executor executor;
  Bodies bodies = {[] { g_first.store(1); }, [] { g_second.store(1); }};
  // Thread 0 finishes after two steps (its start and its store); the third 0 names it anyway.
  const rt::Outcome outcome = run_replay(executor, bodies, {0, 0, 0, 0});
  EXPECT_EQ(outcome.failure, rt::FailureKind::StrategyError);
  EXPECT_FALSE(outcome.failed()); // the code under test did not fail
  EXPECT_NE(outcome.message.find("the strategy chose thread 0, which has finished, at step 2"),
            std::string::npos)
      << outcome.message;
  EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()),
            (std::vector<int>{0, 0}));
}

// Replays a schedule and counts how often the runtime asks.
class CountingReplay final : public rt::Strategy {
public:
  explicit CountingReplay(std::vector<int> schedule) : replay_(std::move(schedule)) {}
  std::optional<int> next(const rt::Decision &decision) override {
    ++asked;
    return replay_.next(decision);
  }
  std::uint64_t repeats() const override { return replay_.repeats(); }
  int asked = 0;

private:
  rt::ReplayStrategy replay_;
};

TEST(ExecutorTest, StepsTheStrategySaidItWouldRepeatAreNotAskedFor) {
  rt::Executor executor;
  auto writes = [](std::atomic<int> &cell) {
    for (int i = 0; i < 10; ++i) {
      cell.store(i);
    }
  };
  Bodies bodies = {[&] { writes(g_first); }, [&] { writes(g_second); }};
  // Each thread: its start and ten stores. Two runs: the strategy is asked twice.
  std::vector<int> schedule(11, 0);
  schedule.insert(schedule.end(), 11, 1);
  CountingReplay strategy(schedule);
  ASSERT_FALSE(executor.run(bodies, strategy).failed());
  EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()), schedule);
  EXPECT_EQ(strategy.asked, 2);
  ASSERT_EQ(executor.trace().size(), schedule.size());
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    EXPECT_EQ(executor.trace()[i].thread, schedule[i]) << "step " << i;
  }
}

// One thread that loads `never` until it is set, which no one does: a run that never ends, one
// instrumented load per step.
Bodies spinning_on(const std::atomic<bool> &never) {
  return {[&never] {
    while (!never.load()) {
    }
  }};
}

// Keeps the current thread running, and records what it announced each time it is asked.
class RecordingKeeper final : public rt::Strategy {
public:
  std::optional<int> next(const rt::Decision &decision) override {
    if (decision.current >= 0 && decision.candidates[0] == decision.current) {
      asked.push_back(decision.pending[static_cast<std::size_t>(decision.current)].kind);
    }
    return decision.candidates[0];
  }
  std::vector<rt::EventKind> asked;
};

TEST(ExecutorTest, ACooperativeRunAsksTheStrategyOnlyAtSwitchPointsAndRecordsEveryStep) {
  rt::Executor executor;
  Bodies bodies = {[] {
                     for (int i = 0; i < 5; ++i) {
                       g_first.store(i);
                     }
                     interlace_switch_point(nullptr);
                     g_first.store(9);
                   },
                   [] { g_second.store(1); }};
  rt::RunOptions options;
  options.cooperative = true;
  RecordingKeeper cooperative;
  ASSERT_FALSE(executor.run(bodies, cooperative, options).failed());
  EXPECT_EQ(cooperative.asked, std::vector<rt::EventKind>{rt::EventKind::Switch});
  // Thread 0: its start, five stores, the switch point, a store; thread 1: its start, a store.
  EXPECT_EQ(executor.trace().size(), 10U);
  EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()),
            (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1}));
  // Not cooperative: asked at the stores too, with the same schedule.
  RecordingKeeper preemptive;
  ASSERT_FALSE(executor.run(bodies, preemptive).failed());
  EXPECT_EQ(std::ranges::count(preemptive.asked, rt::EventKind::Write), 7);
  EXPECT_EQ(executor.trace().size(), 10U);
}

TEST(ExecutorTest, ACooperativeThreadThatNeverReachesASwitchPointHitsTheStepCap) {
  rt::Executor executor;
  std::atomic<bool> never{false};
  const Bodies bodies = spinning_on(never);
  rt::RunOptions options;
  options.max_steps = 500;
  options.cooperative = true;
  RecordingKeeper strategy;
  const rt::Outcome outcome = executor.run(bodies, strategy, options);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Livelock);
  EXPECT_EQ(executor.schedule().size(), 500U);
  EXPECT_EQ(strategy.asked.size(), 1U); // at the step the cap ends, as without the option
}

// Always the highest runnable thread, and says so for as long as nothing changes.
class HighestRunnable final : public rt::Strategy {
public:
  std::optional<int> next(const rt::Decision &decision) override {
    return *std::max_element(decision.candidates.begin(), decision.candidates.end());
  }
  std::uint64_t repeats() const override { return std::numeric_limits<std::uint64_t>::max(); }
};

TEST(ExecutorTest, AThreadThatBecomesRunnableEndsWhatTheStrategyRepeated) {
  rt::Executor executor;
  std::atomic<bool> ready{false};
  Bodies bodies = {[&] {
                     ready.store(true);
                     ready.notify_one();
                     for (int i = 0; i < 5; ++i) {
                       g_first.store(i);
                     }
                   },
                   [&] {
                     ready.wait(false); // blocks until thread 0 notifies
                     g_second.store(1);
                   }};
  // Thread 1, the highest, runs first and blocks; thread 0 then runs alone, the strategy
  // having said it would keep choosing it. The notify makes thread 1 runnable, so the
  // strategy is asked again and thread 1 runs at once, before thread 0's stores.
  HighestRunnable strategy;
  ASSERT_FALSE(executor.run(bodies, strategy).failed());
  const auto trace = executor.trace();
  const auto notify = std::find_if(trace.begin(), trace.end(), [](const rt::StepRecord &step) {
    return step.thread == 0 && step.event.kind == rt::EventKind::Notify;
  });
  ASSERT_NE(notify, trace.end());
  ASSERT_NE(notify + 1, trace.end());
  EXPECT_EQ((notify + 1)->thread, 1);
}

TEST(ExecutorTest, SpinWaitTerminatesUnderTheFairnessQuantum) {
  rt::Executor executor;
  std::atomic<bool> flag{false};
  Bodies bodies = {[&] {
                     while (!flag.load()) {
                     }
                   },
                   [&] { flag.store(true); }};
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    flag = false;
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.message;
  }
  // With no generated choices at all, the spinner starts first and must still let go.
  flag = false;
  EXPECT_FALSE(run_seeded(executor, bodies, 0, {}, /*max_ops=*/0).failed());
}

TEST(ExecutorTest, StepCapEndsARunThatNeverFinishesAsALivelock) {
  rt::Executor executor;
  std::atomic<bool> never{false};
  const Bodies bodies = spinning_on(never);
  rt::RunOptions options;
  options.max_steps = 500;
  const rt::Outcome outcome = run_seeded(executor, bodies, 0, options);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Livelock);
  EXPECT_NE(outcome.message.find("step cap of 500 steps"), std::string::npos) << outcome.message;
  EXPECT_EQ(executor.schedule().size(), 500U);
}

TEST(ExecutorTest, ThePastDeadlineStopsARunWithoutFailingIt) {
  rt::Executor executor;
  std::atomic<bool> never{false};
  const Bodies bodies = spinning_on(never);
  rt::RunOptions options;
  options.max_steps = UINT64_MAX;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  const auto started = std::chrono::steady_clock::now();
  const rt::Outcome outcome = run_seeded(executor, bodies, 0, options);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Stopped);
  EXPECT_FALSE(outcome.failed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  // The pool is intact: the next run works.
  std::atomic<int> ran{0};
  Bodies next = {[&] { ran.fetch_add(1); }};
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
  EXPECT_EQ(ran.load(), 1);
}

TEST(ExecutorTest, AThreadStuckOutsideYieldPointsIsReportedNotWaitedFor) {
  rt::Executor executor;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::atomic<int> after_read{0};
  Bodies bodies = {[&] {
    char byte = 0;
    after_read.store(1);
    (void)!read(fds[0], &byte, 1); // blocks in the kernel: no yield point, no interceptor
    after_read.store(2);
  }};
  rt::RunOptions options;
  options.stall_timeout = std::chrono::milliseconds(200);
  const rt::Outcome outcome = run_seeded(executor, bodies, 0, options);
  EXPECT_EQ(outcome.failure, rt::FailureKind::Timeout);
  EXPECT_NE(outcome.message.find("made no step for 200 ms"), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.details.find("in code it does not see"), std::string::npos);
  // The stuck thread was ended: it never returns from read().
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(after_read.load(), 1);
  close(fds[0]);
  close(fds[1]);
  std::atomic<int> ran{0};
  Bodies next = {[&] { ran.fetch_add(1); }};
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
  EXPECT_EQ(ran.load(), 1);
}

TEST(ExecutorTest, AnExceptionEscapingAThreadFailsTheExecution) {
  rt::Executor executor;
  std::atomic<int> progress{0};
  Bodies bodies = {[&] { progress.fetch_add(1); },
                   [&] {
                     progress.fetch_add(1);
                     throw std::runtime_error("overdrawn");
                   }};
  const rt::Outcome outcome = run_replay(executor, bodies, {1, 1});
  EXPECT_EQ(outcome.failure, rt::FailureKind::Exception);
  EXPECT_EQ(outcome.thread, 1);
  EXPECT_NE(outcome.message.find("thread 1 threw std::runtime_error: overdrawn"), std::string::npos)
      << outcome.message;
}

TEST(ExecutorTest, ANestedRunIsRefused) {
  rt::Executor outer;
  std::string message;
  Bodies bodies = {[&] {
    rt::Executor inner;
    Bodies none = {[] {}};
    message = run_seeded(inner, none, 0).message;
  }};
  ASSERT_FALSE(run_seeded(outer, bodies, 0).failed());
  EXPECT_NE(message.find("nested executions are not supported"), std::string::npos) << message;
}

TEST(ExecutorTest, WorkerThreadsArePooledAcrossExecutions) {
  rt::Executor executor;
  std::atomic<int> x{0};
  Bodies bodies(4, [&] { x.fetch_add(1); });
  ASSERT_FALSE(run_seeded(executor, bodies, 0).failed());
  const int workers = rt::pooled_worker_count();
  const long threads = proc_status("Threads");
  for (std::uint64_t seed = 1; seed < 300; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed).failed());
  }
  EXPECT_EQ(rt::pooled_worker_count(), workers);
  EXPECT_EQ(proc_status("Threads"), threads);
}

TEST(ExecutorTest, UnmanagedThreadsPassStraightThrough) {
  // Outside an execution the yield points and interceptors are the plain operations.
  std::atomic<int> counter{0};
  std::thread a([&] {
    for (int i = 0; i < 10000; ++i) {
      counter.fetch_add(1);
    }
  });
  std::thread b([&] {
    for (int i = 0; i < 10000; ++i) {
      counter.fetch_add(1);
    }
  });
  a.join();
  b.join();
  EXPECT_EQ(counter.load(), 20000);
  EXPECT_FALSE(rt::in_managed_thread());
}

} // namespace
} // namespace interlace::testing
