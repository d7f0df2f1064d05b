// The seed README's trace-marker examples in C++, compiled at -O0, -O1 and -O2 (three test
// binaries from this file), each run 20 times with the same result.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <string>
#include <vector>

namespace {

constexpr int kRepetitions = 20;

struct BankAccount {
  int balance = 100;

  void transfer(int amount) {
    int current = balance; // interlace: read_balance
    int new_balance = current + amount;
    balance = new_balance; // interlace: write_balance
  }
};

struct Counter {
  int value = 0;

  void increment() {
    // interlace: read_value
    int temp = value;
    temp += 1;
    // interlace: write_value
    value = temp;
  }
};

TEST(MarkersTest, BankAccountLosesAnUpdateWithInlineMarkers) {
  for (int i = 0; i < kRepetitions; ++i) {
    BankAccount account;
    interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_balance"},
                                                          {"thread2", "read_balance"},
                                                          {"thread1", "write_balance"},
                                                          {"thread2", "write_balance"}});
    executor.run("thread1", [&] { account.transfer(50); });
    executor.run("thread2", [&] { account.transfer(50); });
    executor.wait(std::chrono::seconds(5));
    ASSERT_EQ(account.balance, 150) << "run " << i;
  }
}

TEST(MarkersTest, BankAccountKeepsBothDepositsInASerialSchedule) {
  for (int i = 0; i < kRepetitions; ++i) {
    BankAccount account;
    interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_balance"},
                                                          {"thread1", "write_balance"},
                                                          {"thread2", "read_balance"},
                                                          {"thread2", "write_balance"}});
    executor.run("thread1", [&] { account.transfer(50); });
    executor.run("thread2", [&] { account.transfer(50); });
    executor.wait();
    ASSERT_EQ(account.balance, 200) << "run " << i;
  }
}

TEST(MarkersTest, CounterLosesAnIncrementWithOwnLineMarkers) {
  for (int i = 0; i < kRepetitions; ++i) {
    Counter counter;
    interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_value"},
                                                          {"thread2", "read_value"},
                                                          {"thread1", "write_value"},
                                                          {"thread2", "write_value"}});
    executor.run("thread1", [&] { counter.increment(); });
    executor.run("thread2", [&] { counter.increment(); });
    executor.wait();
    ASSERT_EQ(counter.value, 1) << "run " << i;
  }
}

TEST(MarkersTest, AMarkerInALoopFiresOnEveryPassage) {
  for (int i = 0; i < kRepetitions; ++i) {
    std::string order;
    auto ticker = [&order](char id) {
      for (int n = 0; n < 3; ++n) {
        order += id; // interlace: tick
      }
    };
    interlace::TraceExecutor executor(interlace::Schedule{
        {"a", "tick"}, {"b", "tick"}, {"b", "tick"}, {"a", "tick"}, {"a", "tick"}, {"b", "tick"}});
    executor.run("a", [&] { ticker('a'); });
    executor.run("b", [&] { ticker('b'); });
    executor.wait();
    ASSERT_EQ(order, "abbaab") << "run " << i;
  }
}

TEST(MarkersTest, AfterTheLastStepTheThreadsRunToTheirEnd) {
  Counter counter;
  interlace::TraceExecutor executor(interlace::Schedule{{"thread2", "read_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  executor.run("thread2", [&] { counter.increment(); });
  executor.wait();
  EXPECT_EQ(counter.value, 2);
}

TEST(MarkersTest, ThreeThreadsFollowTheSchedule) {
  for (int i = 0; i < kRepetitions; ++i) {
    Counter counter;
    interlace::TraceExecutor executor(interlace::Schedule{{"t1", "read_value"},
                                                          {"t2", "read_value"},
                                                          {"t3", "read_value"},
                                                          {"t3", "write_value"},
                                                          {"t2", "write_value"},
                                                          {"t1", "write_value"}});
    for (const char *name : {"t1", "t2", "t3"}) {
      executor.run(name, [&] { counter.increment(); });
    }
    executor.wait();
    ASSERT_EQ(counter.value, 1) << "run " << i;
  }
}

} // namespace
