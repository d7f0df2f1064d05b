// explore_interleavings on code that crashes, exits or stalls: each is a finding with a
// schedule, shrinking, a replay token and reproductions, and the test process goes on.
#undef NDEBUG // the tests are built with -DNDEBUG; these need a live assert()
#include <cassert>
#include <cstdlib>

#include <gtest/gtest.h>
#include <interlace/interlace.hpp>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, int> g_registry = {{"a", 1}};
std::mutex g_mutex; // a global lock held by the failing thread in each test below

struct Shared;
void use(Shared &s);

struct Shared {
  int *data = nullptr;
  int storage = 0;
  bool ready = false;
};

// The null dereference this test needs; UBSan (make test-asan) would report it first.
__attribute__((no_sanitize("undefined"))) void use(Shared &s) { *s.data += 1; }

// Thread 1 publishes `ready` before `data`: thread 0 may see ready and dereference null.
auto explore_publication(interlace::ExploreOptions options) {
  return interlace::explore_interleavings([] { return std::make_unique<Shared>(); },
                                          {[](Shared &s) {
                                             const std::lock_guard<std::mutex> guard(g_mutex);
                                             if (s.ready) {
                                               use(s);
                                             }
                                           },
                                           [](Shared &s) {
                                             s.ready = true;
                                             s.data = &s.storage;
                                           }},
                                          [](const Shared &) { return true; }, options);
}

// A correct exploration after a failing one passes: nothing leaked into it.
void expect_clean_exploration() {
  const auto result = interlace::explore_interleavings(
      [] { return 0; },
      {[](int &value) {
         const std::lock_guard<std::mutex> guard(g_mutex);
         ++value;
       },
       [](int &value) {
         const std::lock_guard<std::mutex> guard(g_mutex);
         ++value;
       }},
      [](const int &value) { return value == 2; }, {.max_attempts = 100, .seed = 3});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(IsolationTest, ACrashIsAFindingThatShrinksAndReplays) {
  const auto result = explore_publication({.max_attempts = 500, .seed = 7});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("crashed: SIGSEGV"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("isolation_test.cpp:"), std::string::npos);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts) << result.explanation;
  EXPECT_EQ(result.preemptions, 1);
  EXPECT_FALSE(result.replay.empty());
  // The global lock the crashed thread held does not outlive its execution.
  ASSERT_TRUE(g_mutex.try_lock());
  g_mutex.unlock();
  expect_clean_exploration();
}

TEST(IsolationTest, ExitInAThreadIsAFindingAndTheProcessGoesOn) {
  int calls = 0;
  const auto result = interlace::explore_interleavings(
      [] { return 0; },
      {[&](int &value) {
         ++calls;
         const std::lock_guard<std::mutex> guard(g_mutex);
         if (value == 1) {
           std::exit(3);
         }
       },
       [](int &value) { value = 1; }},
      [](const int &) { return true; }, {.max_attempts = 200, .seed = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("called exit(3) at isolation_test.cpp:"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts) << result.explanation;
  EXPECT_EQ(g_registry.at("a"), 1); // static destructors did not run
  EXPECT_GT(calls, 0);
  expect_clean_exploration();
}

// A thread released after a deadlock returns from its joins and calls exit(): the process
// goes on and the deadlock is the verdict.
TEST(IsolationTest, ExitFromAThreadReleasedAfterADeadlockDoesNotLoseTheVerdict) {
  struct Locks {
    std::mutex a;
    std::mutex b;
    int finished = 0;
  };
  const auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Locks>(); }, {[](Locks &locks) {
        std::thread first([&] {
          const std::lock_guard<std::mutex> one(locks.a);
          const std::lock_guard<std::mutex> two(locks.b);
          ++locks.finished;
        });
        std::thread second([&] {
          const std::lock_guard<std::mutex> one(locks.b);
          const std::lock_guard<std::mutex> two(locks.a);
          ++locks.finished;
        });
        first.join();
        second.join();
        if (locks.finished != 2) {
          std::exit(3);
        }
      }},
      [](const Locks &) { return true; }, {.max_attempts = 500, .seed = 1});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Deadlock"), std::string::npos) << result.explanation;
  expect_clean_exploration();
}

// The report describes the execution that failed, not a later run of the same schedule,
// which sees what the first one left in globals (issue 17).
int g_executions = 0;

struct Numbered {
  int execution = 0;
};

void fail_numbered(Numbered &state) {
  state.execution = ++g_executions;
  throw std::runtime_error("failure seen in execution " + std::to_string(state.execution));
}

TEST(IsolationTest, TheReportIsTheFailingExecutionsWithoutShrinking) {
  g_executions = 0;
  const auto result = interlace::explore_interleavings(
      [] { return Numbered{}; }, {[](Numbered &state) { fail_numbered(state); }},
      [](const Numbered &) { return true; },
      {.max_attempts = 1, .seed = 1, .reproduce_on_failure = 0, .shrink = false});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(g_executions, 1);
  EXPECT_EQ(result.num_explored, 1);
  EXPECT_NE(result.explanation.find("failure seen in execution 1"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.counterexample->execution, 1);
}

TEST(IsolationTest, TheReportIsTheFailingExecutionsAfterShrinking) {
  g_executions = 0;
  const auto result = interlace::explore_interleavings(
      [] { return Numbered{}; }, {[](Numbered &state) { fail_numbered(state); }},
      [](const Numbered &) { return true; },
      {.max_attempts = 1, .seed = 1, .reproduce_on_failure = 3});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.num_explored, 1);
  EXPECT_EQ(result.reproduction_attempts, 3);
  // One thread has one schedule: whatever ran after the first execution repeated it.
  EXPECT_NE(result.explanation.find("failure seen in execution 1"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.counterexample->execution, 1);
}

TEST(IsolationTest, AStallIsReportedOnceAndNotReplayed) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int runs = 0;
  const auto start = Clock::now();
  const auto result = interlace::explore_interleavings(
      [] { return 0; },
      {[&](int &) {
         ++runs;
         char byte = 0;
         (void)!read(fds[0], &byte, 1);
       },
       [](int &value) { value = 1; }},
      [](const int &) { return true; },
      {.max_attempts = 50, .seed = 1, .stall_timeout = std::chrono::milliseconds(300)});
  const auto took = Clock::now() - start;
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(runs, 1);
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_NE(result.explanation.find("blocked in the read() system call"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("stall_timeout"), std::string::npos) << result.explanation;
  close(fds[0]);
  close(fds[1]);
  expect_clean_exploration();
}

} // namespace
