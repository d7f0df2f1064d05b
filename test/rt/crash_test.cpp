// What code under test can do to the process: crash, exit, fork, block outside the runtime,
// retry an interrupted wait forever, or leave a global lock held. Each ends that execution
// with a finding; the test process goes on and the next execution starts clean.
#undef NDEBUG // the tests are built with -DNDEBUG; these need a live assert()
#include <cassert>
#include <cstdlib>

#include <gtest/gtest.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "interlace/annotations.h"
#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A non-trivial global: its destructor would run on the managed thread if exit() went through.
std::map<std::string, int> g_registry = {{"a", 1}, {"b", 2}};

int *volatile g_null = nullptr;
volatile int g_zero = 0;

// The crashes these tests need; UBSan (make test-asan) would report them before they happen.
__attribute__((no_sanitize("undefined"))) void write_null() { *g_null = 1; }
__attribute__((no_sanitize("undefined"))) int divide_by_zero() { return 10 / g_zero; }
volatile long g_depth_limit = 1L << 40;

int recurse(long depth) {
  // Few yield points per megabyte, so the stack ends before max_steps; smaller than the guard
  // page, so that the overflow faults there instead of writing past it into another stack.
  char frame[2048];
  frame[0] = static_cast<char>(depth);
  asm volatile("" : : "r"(frame) : "memory"); // the whole frame stays
  if (depth > g_depth_limit) {
    return frame[0];
  }
  return recurse(depth + 1) + frame[0];
}

long threads_now() { return proc_status("Threads"); }

TEST(CrashTest, ExitInAThreadFailsTheExecutionAndTheProcessGoesOn) {
  rt::Executor executor;
  Bodies bodies = {[] {
                     g_registry["c"] = 3;
                     std::exit(3);
                   },
                   [] { g_registry["d"] = 4; }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Exit) << outcome.message;
  EXPECT_EQ(outcome.thread, 0);
  EXPECT_EQ(outcome.message.rfind("thread 0 called exit(3) at crash_test.cpp:", 0), 0u)
      << outcome.message;
  EXPECT_EQ(g_registry.count("a"), 1u); // no destructor ran
  int ran = 0;
  Bodies next = {[&] { ++ran; }, [&] { ++ran; }};
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
  EXPECT_EQ(ran, 2);
}

TEST(CrashTest, EveryExitFunctionIsAFinding) {
  rt::Executor executor;
  const std::pair<const char *, std::function<void()>> exits[] = {
      {"_exit(4)", [] { _exit(4); }},
      {"_Exit(5)", [] { std::_Exit(5); }},
      {"quick_exit(6)", [] { std::quick_exit(6); }},
  };
  for (const auto &[name, call] : exits) {
    Bodies bodies = {call};
    const rt::Outcome outcome = run_seeded(executor, bodies, 1);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Exit) << name;
    EXPECT_NE(outcome.message.find(std::string("called ") + name), std::string::npos)
        << outcome.message;
  }
}

TEST(CrashTest, ANullWriteIsACrashWithItsLine) {
  rt::Executor executor;
  Bodies bodies = {[] { write_null(); }, [] {}};
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Crash) << outcome.message;
  EXPECT_EQ(outcome.message.rfind("thread 0 crashed: SIGSEGV (invalid access to ", 0), 0u)
      << outcome.message;
  EXPECT_NE(outcome.message.find("at crash_test.cpp:"), std::string::npos) << outcome.message;
}

TEST(CrashTest, AStackOverflowIsACrash) {
  rt::Executor executor;
  Bodies bodies = {[] { recurse(0); }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Crash) << outcome.message;
  EXPECT_NE(outcome.message.find("stack overflow"), std::string::npos) << outcome.message;
}

TEST(CrashTest, ADivisionByZeroIsACrash) {
  rt::Executor executor;
  int result = 0;
  Bodies bodies = {[&] { result = divide_by_zero(); }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  ASSERT_EQ(outcome.failure, rt::FailureKind::Crash) << outcome.message;
  EXPECT_NE(outcome.message.find("SIGFPE (integer division by zero)"), std::string::npos)
      << outcome.message;
}

TEST(CrashTest, ACrashOutsideExecutionsIsTheRealOne) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  rt::Executor executor; // installs the handlers
  EXPECT_DEATH(write_null(), "");
}

TEST(CrashTest, AForkedChildRunsUnmanagedAndTheParentGoesOn) {
  rt::Executor executor;
  int status = -1;
  int shared = 0;
  Bodies bodies = {[&] {
                     const pid_t child = fork();
                     if (child == 0) {
                       shared = 42; // the child's copy; the child never waits for the runtime
                       std::this_thread::sleep_for(std::chrono::milliseconds(1));
                       _exit(shared == 42 ? 7 : 1);
                     }
                     waitpid(child, &status, 0);
                   },
                   [&] { ++shared; }};
  const auto start = Clock::now();
  const rt::Outcome outcome = run_seeded(executor, bodies, 1);
  EXPECT_FALSE(outcome.failed()) << outcome.message << outcome.details;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
  EXPECT_EQ(shared, 1);
}

TEST(CrashTest, AForkedChildWhoseThreadReturnsEndsTheChildProcess) {
  rt::Executor executor;
  int status = -1;
  pid_t child = -1;
  Bodies bodies = {[&] {
    child = fork();
    if (child != 0) {
      waitpid(child, &status, 0);
    }
    // The child returns from the body, as the only thread of its process.
  }};
  const auto start = Clock::now();
  EXPECT_FALSE(run_seeded(executor, bodies, 1).failed());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(CrashTest, AThreadBlockedInReadIsReportedOnceAndEnded) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const long threads_before = threads_now();
  rt::RunOptions options;
  options.stall_timeout = std::chrono::milliseconds(200);
  {
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
    EXPECT_NE(outcome.details.find("its last yield point was crash_test.cpp:"), std::string::npos)
        << outcome.details;
    EXPECT_NE(outcome.details.find("the thread was ended"), std::string::npos) << outcome.details;
  }
  EXPECT_LE(threads_now(), threads_before + 2); // at most the pool's replacements
  close(fds[0]);
  close(fds[1]);
}

std::atomic<bool> g_spin_forever{true};
std::atomic<long> g_spins{0};
INTERLACE_NO_INSTRUMENT void spin_uninstrumented() {
  while (g_spin_forever.load(std::memory_order_relaxed)) {
    g_spins.fetch_add(1, std::memory_order_relaxed);
  }
}

TEST(CrashTest, AnUninstrumentedSpinIsReportedAndStopsBurningCpu) {
  rt::RunOptions options;
  options.stall_timeout = std::chrono::milliseconds(200);
  {
    rt::Executor executor;
    Bodies bodies = {[] { spin_uninstrumented(); }};
    const rt::Outcome outcome = run_seeded(executor, bodies, 1, options);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Timeout);
    EXPECT_NE(outcome.message.find("running code that has no yield points"), std::string::npos)
        << outcome.message;
  }
  const long after_run = g_spins.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(g_spins.load(), after_run) << "the stuck thread still spins";
}

// A lock built on the futex system call in code without yield points, the way Abseil, folly
// and TBB wait: it retries on EINTR.
struct FutexLock {
  std::atomic<std::uint32_t> word{0};
  INTERLACE_NO_INSTRUMENT void lock() {
    std::uint32_t expected = 0;
    while (!word.compare_exchange_strong(expected, 1)) {
      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
      expected = 0;
    }
  }
  INTERLACE_NO_INSTRUMENT void unlock() {
    word.store(0);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
};

TEST(CrashTest, ADeadlockInAnEintrRetryLoopEndsPromptly) {
  rt::Executor executor;
  rt::RunOptions options;
  options.stall_timeout = std::chrono::seconds(5);
  const auto start = Clock::now();
  int deadlocks = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    FutexLock a;
    FutexLock b;
    Bodies bodies = {[&] {
                       a.lock();
                       std::this_thread::yield();
                       b.lock();
                       b.unlock();
                       a.unlock();
                     },
                     [&] {
                       b.lock();
                       std::this_thread::yield();
                       a.lock();
                       a.unlock();
                       b.unlock();
                     }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed, options);
    ASSERT_NE(outcome.failure, rt::FailureKind::Timeout) << outcome.message;
    deadlocks += outcome.failure == rt::FailureKind::Deadlock ? 1 : 0;
  }
  EXPECT_GT(deadlocks, 0);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
}

// --- What a failed execution leaves in globals -------------------------------------------

std::mutex g_mutex;
pthread_rwlock_t g_rwlock = PTHREAD_RWLOCK_INITIALIZER;
pthread_spinlock_t g_spin;
pthread_mutex_t g_recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

// A correct execution that takes each global lock: it deadlocks if one was left held.
void expect_globals_free(rt::Executor &executor) {
  int sum = 0;
  Bodies bodies = {[&] {
                     const std::lock_guard<std::mutex> guard(g_mutex);
                     pthread_rwlock_wrlock(&g_rwlock);
                     pthread_spin_lock(&g_spin);
                     pthread_mutex_lock(&g_recursive);
                     ++sum;
                     pthread_mutex_unlock(&g_recursive);
                     pthread_spin_unlock(&g_spin);
                     pthread_rwlock_unlock(&g_rwlock);
                   },
                   [&] {
                     const std::lock_guard<std::mutex> guard(g_mutex);
                     ++sum;
                   }};
  const rt::Outcome outcome = run_seeded(executor, bodies, 3);
  EXPECT_FALSE(outcome.failed()) << outcome.message << "\n" << outcome.details;
  EXPECT_EQ(sum, 2);
}

TEST(CrashTest, LocksHeldWhenAnExecutionFailsAreReleasedForTheNext) {
  pthread_spin_init(&g_spin, PTHREAD_PROCESS_PRIVATE);
  rt::Executor executor;
  const std::pair<const char *, std::function<void()>> failures[] = {
      {"assert under a lock",
       [] {
         const std::lock_guard<std::mutex> guard(g_mutex);
         pthread_rwlock_rdlock(&g_rwlock);
         pthread_spin_lock(&g_spin);
         pthread_mutex_lock(&g_recursive);
         assert(g_zero == 1);
       }},
      {"crash under a lock",
       [] {
         const std::lock_guard<std::mutex> guard(g_mutex);
         pthread_rwlock_wrlock(&g_rwlock);
         write_null();
       }},
      {"exit under a lock",
       [] {
         const std::lock_guard<std::mutex> guard(g_mutex);
         std::exit(1);
       }},
      {"livelock under a lock",
       [] {
         const std::lock_guard<std::mutex> guard(g_mutex);
         while (g_zero == 0) {
         }
       }},
      {"deadlock in a latch under a lock",
       [] {
         const std::lock_guard<std::mutex> guard(g_mutex);
         std::latch never(2);
         never.arrive_and_wait();
       }},
  };
  rt::RunOptions options;
  options.max_steps = 2000;
  for (const auto &[name, body] : failures) {
    Bodies bodies = {body};
    const rt::Outcome outcome = run_seeded(executor, bodies, 1, options);
    ASSERT_TRUE(outcome.failed()) << name;
    SCOPED_TRACE(name);
    expect_globals_free(executor);
  }
}

} // namespace
} // namespace interlace::testing
