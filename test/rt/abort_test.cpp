// assert() and abort() in a managed thread fail that execution, not the test process.
#undef NDEBUG // the tests are built with -DNDEBUG; these need a live assert()
#include <cassert>
#include <cstdlib>

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>

#include "run_helpers.hpp"

namespace interlace::testing {
namespace {

void check_balance(int balance) { assert(balance == 2 && "both deposits arrived"); }

TEST(AbortTest, AFailedAssertFailsTheExecutionWithItsMessageAndLocation) {
  rt::Executor executor;
  rt::Outcome found;
  for (std::uint64_t seed = 0; seed < 200 && !found.failed(); ++seed) {
    int balance = 0;
    Bodies bodies = {[&] {
                       const int seen = balance;
                       balance = seen + 1;
                     },
                     [&] {
                       std::thread other([&] {
                         const int seen = balance;
                         balance = seen + 1;
                       });
                       other.join();
                       check_balance(balance);
                     }};
    found = run_seeded(executor, bodies, seed);
  }
  ASSERT_EQ(found.failure, rt::FailureKind::Exception) << found.message;
  EXPECT_EQ(found.thread, 1);
  EXPECT_EQ(found.message.rfind("thread 1 failed an assertion: `balance == 2 && \"both deposits "
                                "arrived\"` in void interlace::testing::(anonymous "
                                "namespace)::check_balance(int) at abort_test.cpp:",
                                0),
            0u)
      << found.message;
  EXPECT_NE(found.details.find("after abort_test.cpp:"), std::string::npos) << found.details;
  // The pool replaced the ended worker: the next execution runs normally.
  int ran = 0;
  Bodies next = {[&] { ++ran; }, [&] { ++ran; }};
  EXPECT_FALSE(run_seeded(executor, next, 0).failed());
  EXPECT_EQ(ran, 2);
}

TEST(AbortTest, AbortFailsTheExecutionAndTheOthersAreReleased) {
  rt::Executor executor;
  std::mutex mutex;
  const int workers = rt::pooled_worker_count();
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Bodies bodies = {[&] { std::abort(); },
                     [&] {
                       std::lock_guard<std::mutex> guard(mutex);
                       std::this_thread::yield();
                     }};
    const rt::Outcome outcome = run_seeded(executor, bodies, seed);
    ASSERT_EQ(outcome.failure, rt::FailureKind::Exception) << outcome.message;
    ASSERT_EQ(outcome.message, "thread 0 called abort()");
    ASSERT_TRUE(mutex.try_lock()) << "seed " << seed;
    mutex.unlock();
  }
  EXPECT_LE(rt::pooled_worker_count(), workers + 2); // ended workers are replaced, not piled up
}

TEST(AbortTest, AssertAndAbortOutsideExecutionsAreTheRealOnes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(check_balance(1), "Assertion `balance == 2 && \"both deposits arrived\"' failed");
  EXPECT_DEATH(std::abort(), "");
}

} // namespace
} // namespace interlace::testing
