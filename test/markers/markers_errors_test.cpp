// Every schedule error is a ScheduleError that names the step and the cause, and arrives as
// soon as the cause is certain, well before the timeout.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::seconds(5);

struct Counter {
  int value = 0;
  void increment() {
    int temp = value; // interlace: read_value
    value = temp + 1; // interlace: write_value
  }
};

// Runs `executor.wait(timeout)` and returns the ScheduleError's message and how long it took.
struct Failure {
  std::string message;
  Clock::duration elapsed;
};

Failure wait_for_error(interlace::TraceExecutor &executor,
                       std::chrono::milliseconds timeout = kTimeout) {
  const auto start = Clock::now();
  try {
    executor.wait(timeout);
  } catch (const interlace::ScheduleError &error) {
    return {error.what(), Clock::now() - start};
  }
  ADD_FAILURE() << "wait() did not throw a ScheduleError";
  return {"", Clock::now() - start};
}

TEST(MarkerErrorsTest, AThreadNameThatWasNeverRun) {
  Counter counter;
  interlace::TraceExecutor executor(
      interlace::Schedule{{"thread1", "read_value"}, {"thread3", "read_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  executor.run("thread2", [&] { counter.increment(); });
  const Failure failure = wait_for_error(executor);
  EXPECT_EQ(failure.message, "step 2 of 2 (thread3, read_value): no thread named 'thread3' was "
                             "run; the threads are thread1, thread2");
  EXPECT_LT(failure.elapsed, std::chrono::seconds(1));
}

TEST(MarkerErrorsTest, AMarkerTheThreadFinishedWithoutReaching) {
  Counter counter;
  interlace::TraceExecutor executor(interlace::Schedule{
      {"thread1", "read_value"}, {"thread1", "write_value"}, {"thread1", "read_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  const Failure failure = wait_for_error(executor);
  EXPECT_NE(failure.message.find("step 3 of 3 (thread1, read_value): thread1 finished without "
                                 "reaching marker 'read_value'"),
            std::string::npos)
      << failure.message;
  EXPECT_LT(failure.elapsed, std::chrono::seconds(1));
}

TEST(MarkerErrorsTest, AMarkerThatIsNotWhereTheThreadWaits) {
  Counter counter;
  interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "write_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  const Failure failure = wait_for_error(executor);
  EXPECT_NE(failure.message.find("step 1 of 1 (thread1, write_value): thread1 is waiting at "
                                 "marker 'read_value', not at 'write_value'"),
            std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("thread1 is at marker 'read_value' (markers_errors_test.cpp:20)"),
            std::string::npos)
      << failure.message;
  EXPECT_LT(failure.elapsed, std::chrono::seconds(1));
}

TEST(MarkerErrorsTest, AMarkerThatExistsNowhere) {
  Counter counter;
  interlace::TraceExecutor executor(
      interlace::Schedule{{"thread1", "read_value"}, {"thread1", "wirte_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  const Failure failure = wait_for_error(executor);
  EXPECT_NE(failure.message.find("step 2 of 2 (thread1, wirte_value): there is no marker "
                                 "'wirte_value' in the program"),
            std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("locked_read, read_value, spin, write_value"), std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("Did you mean 'write_value'?"), std::string::npos)
      << failure.message;
  EXPECT_LT(failure.elapsed, std::chrono::seconds(1));
}

struct Locked {
  std::mutex mutex;
  int value = 0;
  void increment() {
    std::lock_guard<std::mutex> lock(mutex);
    int temp = value; // interlace: locked_read
    value = temp + 1;
  }
};

TEST(MarkerErrorsTest, AStepBlockedByAThreadThatWaitsForItsOwnTurn) {
  Locked locked;
  // thread1 pauses at its marker holding the mutex; thread2 cannot reach its marker.
  interlace::TraceExecutor executor(
      interlace::Schedule{{"thread2", "locked_read"}, {"thread1", "locked_read"}});
  executor.run("thread1", [&] { locked.increment(); });
  executor.run("thread2", [&] { locked.increment(); });
  const Failure failure = wait_for_error(executor);
  EXPECT_NE(failure.message.find("step 1 of 2 (thread2, locked_read): thread2 is blocked, and "
                                 "every thread that could release it waits at a marker"),
            std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("held by thread1"), std::string::npos) << failure.message;
  EXPECT_NE(failure.message.find("thread1 is at marker 'locked_read'"), std::string::npos)
      << failure.message;
  EXPECT_LT(failure.elapsed, std::chrono::seconds(1));
}

TEST(MarkerErrorsTest, TheTimeoutNamesWhereEveryThreadStands) {
  std::atomic<bool> never{false};
  Counter counter;
  interlace::TraceExecutor executor(
      interlace::Schedule{{"thread1", "read_value"}, {"spinner", "spin"}});
  executor.run("thread1", [&] { counter.increment(); });
  executor.run("spinner", [&] {
    while (!never.load()) { // runs forever before its marker
    }
    INTERLACE_MARKER(spin);
  });
  const Failure failure = wait_for_error(executor, std::chrono::milliseconds(300));
  EXPECT_NE(failure.message.find("timeout after 300 ms at step 1 of 2 (thread1, read_value)"),
            std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("thread1 is at marker 'read_value'"), std::string::npos)
      << failure.message;
  EXPECT_NE(failure.message.find("spinner is at markers_errors_test.cpp:"), std::string::npos)
      << failure.message;
  EXPECT_GE(failure.elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(failure.elapsed, std::chrono::seconds(3));
}

TEST(MarkerErrorsTest, AnExceptionFromAThreadIsRethrown) {
  interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_value"}});
  executor.run("thread1", [] { throw std::invalid_argument("bad amount"); });
  EXPECT_THROW(
      {
        try {
          executor.wait();
        } catch (const std::invalid_argument &error) {
          EXPECT_STREQ(error.what(), "bad amount");
          throw;
        }
      },
      std::invalid_argument);
}

TEST(MarkerErrorsTest, AnEmptyScheduleIsAnErrorAtConstruction) {
  EXPECT_THROW(interlace::Schedule(std::vector<interlace::Step>{}), interlace::ScheduleError);
}

TEST(MarkerErrorsTest, EachThreadNameIsUsedOnce) {
  interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_value"}});
  executor.run("thread1", [] {});
  EXPECT_THROW(executor.run("thread1", [] {}), interlace::ScheduleError);
}

TEST(MarkerErrorsTest, AnExecutorRunsOnce) {
  Counter counter;
  interlace::TraceExecutor executor(interlace::Schedule{{"thread1", "read_value"}});
  executor.run("thread1", [&] { counter.increment(); });
  executor.wait();
  EXPECT_THROW(executor.run("thread2", [] {}), interlace::ScheduleError);
  EXPECT_THROW(executor.wait(), interlace::ScheduleError);
}

} // namespace
