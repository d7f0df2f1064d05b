// Explanation features beyond the golden texts: verbose traces and replays that disagree.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

namespace {

struct Guarded {
  std::mutex mutex;
  int value = 0;
  void increment() {
    int seen;
    {
      std::lock_guard<std::mutex> lock(mutex);
      seen = value;
    }
    std::lock_guard<std::mutex> lock(mutex);
    value = seen + 1;
  }
};

TEST(ExplanationTest, VerboseShowsEveryStepIncludingLocks) {
  setenv("INTERLACE_VERBOSE", "1", 1);
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Guarded>(); },
      {[](Guarded &g) { g.increment(); }, [](Guarded &g) { g.increment(); }},
      [](const Guarded &g) { return g.value == 2; }, {.seed = 5});
  unsetenv("INTERLACE_VERBOSE");
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("lock 0x"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("unlock 0x"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("start"), std::string::npos) << result.explanation;
  EXPECT_EQ(result.explanation.find("INTERLACE_VERBOSE=1 shows every step"), std::string::npos);
}

TEST(ExplanationTest, DefaultTraceShowsOnlyTheContendedAccesses) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Guarded>(); },
      {[](Guarded &g) { g.increment(); }, [](Guarded &g) { g.increment(); }},
      [](const Guarded &g) { return g.value == 2; }, {.seed = 5});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.explanation.find("lock 0x"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("Guarded::value"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("INTERLACE_VERBOSE=1 shows every step"), std::string::npos);
}

// A thread whose behaviour depends on something outside the schedule: how many times the
// body ran in this process.
int g_runs = 0;

struct Shared {
  int value = 0;
};

TEST(ExplanationTest, ReplaysThatDisagreeSayWhereTheyDiverged) {
  auto result = interlace::explore_interleavings(
      [] { return Shared{}; },
      {[](Shared &s) {
         if (++g_runs % 2 == 0) {
           s.value = s.value + 10; // an extra read and write on every other run
         }
         s.value = s.value + 1;
       },
       [](Shared &s) { s.value = s.value + 1; }},
      [](const Shared &s) { return s.value >= 2; }, {.seed = 3});
  ASSERT_FALSE(result.property_holds);
  EXPECT_LT(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("depends on something interlace does not control"),
            std::string::npos)
      << result.explanation;
  // At -O2 the branch is a select: the replay takes the same steps, with other data.
  EXPECT_NE(result.explanation.find("replay 1 took the same"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("the outcome depends on data the schedule does not decide"),
            std::string::npos)
      << result.explanation;
}

// The flag is published before the data: the bug is the order of the writer's two stores. The
// reader re-reads the flag because it waits on it (atomic::wait), which is not an atomicity
// violation on the flag.
struct Publication {
  std::atomic<int> ready{0};
  int data = 0;
  int seen = 0;
};

TEST(ExplanationTest, WaitingOnAFlagIsNotAnAtomicityViolationOnIt) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Publication>(); },
      {[](Publication &p) {
         p.ready.store(1);
         p.ready.notify_one();
         p.data = 42;
       },
       [](Publication &p) {
         p.ready.wait(0);
         p.seen = p.data;
       }},
      [](const Publication &p) { return p.seen == 42; }, {.seed = 3});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.explanation.find("atomicity violation"), std::string::npos)
      << result.explanation;
  EXPECT_NE(result.explanation.find("order violation: thread 1 read Publication::data"),
            std::string::npos)
      << result.explanation;
}

} // namespace
