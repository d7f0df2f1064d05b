// GoogleTest helpers. Include <gtest/gtest.h> before this header (or before
// <interlace/interlace.hpp>) so that replay commands name the running test and GoogleTest
// assertions that fail inside an execution (in a thread body, the setup or the invariant)
// fail that execution: it is shrunk, replayed and explained like any other failure, and the
// assertion is reported once, by EXPECT_INTERLEAVINGS_HOLD, not once per schedule.
//
//   EXPECT_INTERLEAVINGS_HOLD(result);  // fails with result.explanation if a schedule failed
//   EXPECT_RACE_FOUND(result);          // for tests that document a race
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "interlace/annotations.h"

namespace interlace::detail {
// Supplies "Suite.Test" for the replay command; null or empty when not under a test runner.
using TestNameProvider = std::string (*)();
void set_test_name_provider(TestNameProvider provider);

// A test framework's assertion that failed while an execution ran.
struct CapturedAssertion {
  int thread = -1;  // current_exploration_thread() where it failed
  std::string text; // "failed a GoogleTest assertion at file.cpp:12: <the message>"
};

// Alive for one execution: keeps the assertion failures of every thread from the test
// framework and records them instead. The explorer does not know the framework; a subclass
// for it (below, for GoogleTest) calls add().
class AssertionCapture {
public:
  AssertionCapture() = default;
  virtual ~AssertionCapture() = default;
  AssertionCapture(const AssertionCapture &) = delete;
  AssertionCapture &operator=(const AssertionCapture &) = delete;

  std::size_t count() const { return failures_.size(); }
  const CapturedAssertion &first() const { return failures_.front(); }

protected:
  // Records a failure of the calling thread. Compiled into the explorer, so that none of it
  // gets yield points when it runs in a managed thread.
  void add(const char *framework, const char *file, int line, const char *message);

private:
  std::vector<CapturedAssertion> failures_;
};
using AssertionCaptureFactory = std::unique_ptr<AssertionCapture> (*)();
void set_assertion_capture_factory(AssertionCaptureFactory factory);

// The exploration's thread body running on this thread (0..n-1), or -1 (the exploring
// thread, or a thread the bodies started).
int current_exploration_thread() noexcept;
} // namespace interlace::detail

#if defined(GOOGLETEST_INCLUDE_GTEST_GTEST_H_) || defined(GTEST_INCLUDE_GTEST_GTEST_H_)
#include <gtest/gtest-spi.h>

namespace interlace::detail {
inline std::string current_gtest_name() {
  const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string()
                         : std::string(info->test_suite_name()) + "." + info->name();
}
inline const bool gtest_name_provider_registered =
    (set_test_name_provider(&current_gtest_name), true);

// What ScopedFakeTestPartResultReporter wants to append to; we record failures ourselves.
struct GTestResultSink {
  ::testing::TestPartResultArray unused;
};

// Swaps GoogleTest's reporter for all threads while it lives. Only one managed thread runs at
// a time, and the explorer reads the failures after the execution, so the list needs no lock.
class GTestAssertionCapture final : public AssertionCapture,
                                    private GTestResultSink,
                                    private ::testing::ScopedFakeTestPartResultReporter {
public:
  GTestAssertionCapture()
      : ::testing::ScopedFakeTestPartResultReporter(INTERCEPT_ALL_THREADS, &unused) {}

  static std::unique_ptr<AssertionCapture> make() {
    return std::make_unique<GTestAssertionCapture>();
  }

private:
  INTERLACE_NO_INSTRUMENT void
  ReportTestPartResult(const ::testing::TestPartResult &result) override {
    if (result.failed()) {
      add("GoogleTest", result.file_name(), result.line_number(), result.summary());
    }
  }
};

inline const bool gtest_assertion_capture_registered =
    (set_assertion_capture_factory(&GTestAssertionCapture::make), true);
} // namespace interlace::detail
#endif

#define EXPECT_INTERLEAVINGS_HOLD(result)                                                          \
  EXPECT_TRUE((result).property_holds) << (result).explanation

#define EXPECT_RACE_FOUND(result)                                                                  \
  EXPECT_FALSE((result).property_holds)                                                            \
      << "expected a failing interleaving, but none was found.\n"                                  \
      << (result).explanation

#define ASSERT_INTERLEAVINGS_HOLD(result)                                                          \
  ASSERT_TRUE((result).property_holds) << (result).explanation

#define ASSERT_RACE_FOUND(result)                                                                  \
  ASSERT_FALSE((result).property_holds)                                                            \
      << "expected a failing interleaving, but none was found.\n"                                  \
      << (result).explanation
