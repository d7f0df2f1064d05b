// GoogleTest helpers. Include <gtest/gtest.h> before this header (or before
// <interlace/interlace.hpp>) so that replay commands name the running test.
//
//   EXPECT_INTERLEAVINGS_HOLD(result);  // fails with result.explanation if a schedule failed
//   EXPECT_RACE_FOUND(result);          // for tests that document a race
#pragma once

#include <string>

namespace interlace::detail {
// Supplies "Suite.Test" for the replay command; null or empty when not under a test runner.
using TestNameProvider = std::string (*)();
void set_test_name_provider(TestNameProvider provider);
} // namespace interlace::detail

#if defined(GOOGLETEST_INCLUDE_GTEST_GTEST_H_) || defined(GTEST_INCLUDE_GTEST_GTEST_H_)
namespace interlace::detail {
inline std::string current_gtest_name() {
  const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string()
                         : std::string(info->test_suite_name()) + "." + info->name();
}
inline const bool gtest_name_provider_registered =
    (set_test_name_provider(&current_gtest_name), true);
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
