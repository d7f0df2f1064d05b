// RunOptions::fibers: the bodies run as fibers on the thread that calls Executor::run. They take
// turns at the same yield points as threads, and what code under test can do to a thread
// (crash, exit, throw, block or spin outside the runtime, deadlock, start a thread of its own)
// ends that fiber's run as it ends a thread's, with the same finding; the calling thread goes
// on with the next run.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "interlace/annotations.h"
#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

rt::RunOptions fibers() {
  rt::RunOptions options;
  options.fibers = true;
  return options;
}

bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_MEMORY__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

int *volatile g_null = nullptr;
__attribute__((no_sanitize("undefined"))) void write_null() { *g_null = 1; }
volatile long g_depth_limit = 1L << 40;
int recurse(long depth) {
  char frame[2048];
  frame[0] = static_cast<char>(depth);
  asm volatile("" : : "r"(frame) : "memory");
  if (depth > g_depth_limit) {
    return frame[0];
  }
  return recurse(depth + 1) + frame[0];
}

long os_thread_id() { return syscall(SYS_gettid); }

TEST(FibersTest, TheBodiesRunOnTheCallersThreadAndInterleaveAtYieldPoints) {
  if (under_sanitizer()) {
    GTEST_SKIP() << "fibers are off under a sanitizer (RunOptions::fibers)";
  }
  rt::Executor executor;
  long tids[2] = {0, 0};
  int counter = 0;
  bool lost = false;
  Bodies bodies = {[&] {
                     tids[0] = os_thread_id();
                     const int seen = counter;
                     counter = seen + 1;
                   },
                   [&] {
                     tids[1] = os_thread_id();
                     const int seen = counter;
                     counter = seen + 1;
                   }};
  for (std::uint64_t seed = 0; seed < 50 && !lost; ++seed) {
    counter = 0;
    ASSERT_FALSE(run_seeded(executor, bodies, seed, fibers()).failed());
    EXPECT_EQ(tids[0], os_thread_id());
    EXPECT_EQ(tids[1], os_thread_id());
    lost = counter == 1;
  }
  EXPECT_TRUE(lost) << "no schedule interleaved the two read-modify-writes";
}

TEST(FibersTest, EachBodyKnowsItsIndexAcrossSwitches) {
  rt::Executor executor;
  int shared = 0;
  int wrong = 0;
  Bodies bodies;
  for (int i = 0; i < 3; ++i) {
    bodies.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        shared = shared + 1; // a yield point: another body may run in between
        wrong += rt::current_body() != i ? 1 : 0;
      }
    });
  }
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed, fibers()).failed());
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(rt::current_body(), -1);
}

TEST(FibersTest, EachBodyKeepsItsErrnoAcrossSwitches) {
  rt::Executor executor;
  int shared = 0;
  int wrong = 0;
  Bodies bodies;
  for (int i = 0; i < 2; ++i) {
    bodies.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        errno = 100 + i;
        shared = shared + 1; // a yield point: the other body may run and set its own
        wrong += errno != 100 + i ? 1 : 0;
      }
    });
  }
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ASSERT_FALSE(run_seeded(executor, bodies, seed, fibers()).failed());
  }
  EXPECT_EQ(wrong, 0);
}

// Each fiber is inside a catch block when the other may run and throw and catch its own: a
// `throw;` must still rethrow the fiber's own exception.
TEST(FibersTest, AnExceptionBeingHandledBelongsToItsFiber) {
  rt::Executor executor;
  int shared = 0;
  std::string seen[2];
  const auto body = [&](int i) {
    try {
      if (i == 0) {
        throw std::runtime_error("zero");
      }
      throw std::logic_error("one");
    } catch (...) {
      shared = shared + 1; // a yield point inside the handler
      try {
        throw;
      } catch (const std::exception &error) {
        seen[i] = error.what();
      }
    }
  };
  Bodies bodies = {[&] { body(0); }, [&] { body(1); }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    seen[0].clear();
    seen[1].clear();
    ASSERT_FALSE(run_seeded(executor, bodies, seed, fibers()).failed());
    ASSERT_EQ(seen[0], "zero") << "seed " << seed;
    ASSERT_EQ(seen[1], "one") << "seed " << seed;
  }
}

TEST(FibersTest, AMutexKeepsItsCountAndAStartedThreadIsAnOsThread) {
  rt::Executor executor;
  std::mutex mutex;
  int counter = 0;
  long child_tid = 0;
  long body_tid = 0;
  const auto add = [&] {
    const std::lock_guard<std::mutex> lock(mutex);
    const int seen = counter;
    counter = seen + 1;
  };
  Bodies bodies = {[&] {
                     body_tid = os_thread_id();
                     std::thread child([&] {
                       child_tid = os_thread_id();
                       add();
                     });
                     add();
                     child.join();
                   },
                   [&] { add(); }};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    counter = 0;
    const rt::Outcome outcome = run_seeded(executor, bodies, seed, fibers());
    ASSERT_FALSE(outcome.failed()) << outcome.message;
    ASSERT_EQ(counter, 3) << "seed " << seed;
    EXPECT_NE(child_tid, body_tid);
  }
}

TEST(FibersTest, ADeadlockIsReportedAndTheNextRunGoesOn) {
  rt::Executor executor;
  std::mutex a;
  std::mutex b;
  Bodies bodies = {[&] {
                     const std::lock_guard<std::mutex> first(a);
                     const std::lock_guard<std::mutex> second(b);
                   },
                   [&] {
                     const std::lock_guard<std::mutex> first(b);
                     const std::lock_guard<std::mutex> second(a);
                   }};
  int deadlocks = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const rt::Outcome outcome = run_seeded(executor, bodies, seed, fibers());
    if (outcome.failure == rt::FailureKind::Deadlock) {
      ++deadlocks;
    } else {
      ASSERT_FALSE(outcome.failed()) << outcome.message;
    }
  }
  EXPECT_GT(deadlocks, 0);
}

// A crash ends only the crashed fiber's run; the handler never returns, so the host must
// unblock the signal itself, or the second crash would kill the process.
TEST(FibersTest, CrashesEndTheExecutionAndTheHostGoesOn) {
  rt::Executor executor;
  int destroyed = 0;
  struct Counted {
    int &count;
    ~Counted() { ++count; }
  };
  int shared = 0;
  Bodies bodies = {[&] {
                     shared = 1;
                     write_null();
                   },
                   [&] {
                     const Counted counted{destroyed};
                     for (int i = 0; i < 5; ++i) {
                       shared = shared + 1;
                     }
                   }};
  for (int round = 0; round < 3; ++round) {
    const rt::Outcome outcome = run_seeded(executor, bodies, 1, fibers());
    ASSERT_EQ(outcome.failure, rt::FailureKind::Crash) << outcome.message;
    EXPECT_EQ(outcome.message.rfind("thread 0 crashed: SIGSEGV (invalid access to ", 0), 0u)
        << outcome.message;
  }
  EXPECT_EQ(destroyed, 3); // the other fiber ran to its end each time
  Bodies overflow = {[] { recurse(0); }, [] {}};
  const rt::Outcome outcome = run_seeded(executor, overflow, 1, fibers());
  ASSERT_EQ(outcome.failure, rt::FailureKind::Crash) << outcome.message;
  EXPECT_NE(outcome.message.find("stack overflow"), std::string::npos) << outcome.message;
  int ran = 0;
  Bodies next = {[&] { ++ran; }, [&] { ++ran; }};
  EXPECT_FALSE(run_seeded(executor, next, 0, fibers()).failed());
  EXPECT_EQ(ran, 2);
}

TEST(FibersTest, ExitAndExceptionsAreFindings) {
  rt::Executor executor;
  Bodies exits = {[] { std::exit(3); }, [] {}};
  rt::Outcome outcome = run_seeded(executor, exits, 1, fibers());
  ASSERT_EQ(outcome.failure, rt::FailureKind::Exit) << outcome.message;
  Bodies throws = {[] {}, [] { throw std::runtime_error("boom"); }};
  outcome = run_seeded(executor, throws, 1, fibers());
  ASSERT_EQ(outcome.failure, rt::FailureKind::Exception) << outcome.message;
  EXPECT_EQ(outcome.thread, 1);
  EXPECT_NE(outcome.message.find("std::runtime_error: boom"), std::string::npos) << outcome.message;
}

// The caller's thread is stuck in the fiber: the watchdog's signal takes it out of the fiber,
// for good, and it goes on with the next run.
TEST(FibersTest, AFiberBlockedInReadIsReportedAndTheNextRunGoesOn) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  rt::RunOptions options = fibers();
  options.stall_timeout = std::chrono::milliseconds(200);
  rt::Executor executor;
  Bodies bodies = {[&] {
                     char byte = 0;
                     (void)!read(fds[0], &byte, 1); // nobody ever writes
                   },
                   [] {}};
  const rt::Outcome outcome = run_replay(executor, bodies, {0}, options);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Timeout);
  EXPECT_NE(outcome.message.find("blocked in the read() system call"), std::string::npos)
      << outcome.message;
  int ran = 0;
  Bodies next = {[&] { ++ran; }, [&] { ++ran; }};
  EXPECT_FALSE(run_seeded(executor, next, 0, options).failed());
  EXPECT_EQ(ran, 2);
  close(fds[0]);
  close(fds[1]);
}

std::atomic<long> g_spins{0};
INTERLACE_NO_INSTRUMENT void spin_uninstrumented() {
  for (;;) {
    g_spins.fetch_add(1, std::memory_order_relaxed);
  }
}

TEST(FibersTest, AFiberSpinningWithoutYieldPointsIsReportedAndTheNextRunGoesOn) {
  rt::RunOptions options = fibers();
  options.stall_timeout = std::chrono::milliseconds(200);
  rt::Executor executor;
  Bodies bodies = {[] {}, [] { spin_uninstrumented(); }};
  const auto start = std::chrono::steady_clock::now();
  const rt::Outcome outcome = run_seeded(executor, bodies, 1, options);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Timeout) << outcome.message;
  EXPECT_EQ(outcome.thread, 1);
  EXPECT_NE(outcome.message.find("running code that has no yield points"), std::string::npos)
      << outcome.message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  int ran = 0;
  Bodies next = {[&] { ++ran; }, [&] { ++ran; }};
  EXPECT_FALSE(run_seeded(executor, next, 0, options).failed());
  EXPECT_EQ(ran, 2);
}

TEST(FibersTest, ARunPastItsDeadlineStops) {
  rt::RunOptions options = fibers();
  options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  options.max_steps = ~std::uint64_t{0};
  rt::Executor executor;
  std::atomic<bool> go_on{true};
  int shared = 0;
  Bodies bodies = {[&] {
                     while (
                         go_on.load()) { // a livelock that takes steps: only the deadline ends it
                       shared = shared + 1;
                     }
                   },
                   [&] { shared = shared + 1; }};
  const auto start = std::chrono::steady_clock::now();
  const rt::Outcome outcome = run_seeded(executor, bodies, 1, options, ~std::uint64_t{0});
  EXPECT_EQ(outcome.failure, rt::FailureKind::Stopped) << outcome.message;
  // Without the watchdog it would run for ever; the bound leaves room for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// The watchdog's thread does not survive a fork: a process forked after a watched run starts
// its own at its next one, and a stuck fiber there is ended too.
TEST(FibersTest, AForkedChildWatchesItsOwnRuns) {
  rt::RunOptions options = fibers();
  options.stall_timeout = std::chrono::milliseconds(200);
  {
    rt::Executor executor;
    Bodies bodies = {[] {}, [] {}};
    ASSERT_FALSE(run_seeded(executor, bodies, 1, options).failed()); // the watchdog starts
  }
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    rt::Executor executor;
    Bodies bodies = {[] {}, [] { spin_uninstrumented(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, 1, options);
    _exit(outcome.failure == rt::FailureKind::Timeout ? 0 : 1);
  }
  int status = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      FAIL() << "the child's stuck fiber was never ended";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
} // namespace interlace::testing
