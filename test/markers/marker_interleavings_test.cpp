// explore_marker_interleavings: every order in which the threads pass their markers, once each;
// the first failing order comes back as a Schedule that TraceExecutor replays.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <mutex>
#include <string>

namespace {

struct BankAccount {
  int balance = 100;

  void transfer(int amount) {
    int current = balance; // interlace: read_balance
    int new_balance = current + amount;
    balance = new_balance; // interlace: write_balance
  }
};

struct LockedAccount {
  std::mutex mutex;
  int balance = 100;

  void transfer(int amount) {
    const std::lock_guard<std::mutex> guard(mutex);
    int current = balance;      // interlace: read_balance
    balance = current + amount; // interlace: write_balance
  }
};

TEST(MarkerInterleavingsTest, TheLostUpdateIsFoundAsAScheduleThatTraceExecutorReplays) {
  const auto result = interlace::explore_marker_interleavings(
      [] { return BankAccount{}; },
      {{"alice", [](BankAccount &a) { a.transfer(50); }},
       {"bob", [](BankAccount &a) { a.transfer(50); }}},
      [](const BankAccount &a) { return a.balance == 200; });
  ASSERT_FALSE(result.property_holds);
  ASSERT_TRUE(result.failing_schedule.has_value());
  EXPECT_EQ(result.counterexample->balance, 150);
  EXPECT_EQ(result.failure, "the invariant does not hold");
  ASSERT_EQ(result.failing_schedule->steps().size(), 4U);

  BankAccount account;
  interlace::TraceExecutor executor(*result.failing_schedule);
  executor.run("alice", [&] { account.transfer(50); });
  executor.run("bob", [&] { account.transfer(50); });
  executor.wait();
  EXPECT_EQ(account.balance, 150);
}

TEST(MarkerInterleavingsTest, EveryOrderOfTheMarkersRunsWhenTheInvariantHolds) {
  const auto result = interlace::explore_marker_interleavings(
      [] { return std::make_unique<LockedAccount>(); },
      {{"alice", [](LockedAccount &a) { a.transfer(50); }},
       {"bob", [](LockedAccount &a) { a.transfer(50); }}},
      [](const LockedAccount &a) { return a.balance == 200; });
  EXPECT_TRUE(result.property_holds) << result.failure;
  EXPECT_TRUE(result.exhaustive);
  // Under the lock each transfer passes both markers before the other starts: alice first or
  // bob first.
  EXPECT_EQ(result.marker_interleavings, 2);
}

TEST(MarkerInterleavingsTest, AnUnlockedPairHasSixOrders) {
  const auto result =
      interlace::explore_marker_interleavings([] { return BankAccount{}; },
                                              {{"alice", [](BankAccount &a) { a.transfer(50); }},
                                               {"bob", [](BankAccount &a) { a.transfer(50); }}},
                                              [](const BankAccount &) { return true; });
  EXPECT_TRUE(result.property_holds);
  EXPECT_TRUE(result.exhaustive);
  EXPECT_EQ(result.marker_interleavings, 6); // 4! / (2! 2!)
}

TEST(MarkerInterleavingsTest, MaxSchedulesCutsItShortAndThenItIsNotExhaustive) {
  const auto result = interlace::explore_marker_interleavings(
      [] { return BankAccount{}; },
      {{"alice", [](BankAccount &a) { a.transfer(50); }},
       {"bob", [](BankAccount &a) { a.transfer(50); }}},
      [](const BankAccount &) { return true; }, {.max_schedules = 2});
  EXPECT_EQ(result.num_explored, 2);
  EXPECT_FALSE(result.exhaustive);
}

} // namespace
