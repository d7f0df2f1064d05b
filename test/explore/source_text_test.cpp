// Locations in explanations: a step without a line shows its function's name, no wider than
// a row can afford.
#include <gtest/gtest.h>

#include <string>

#include "source_text.hpp"

namespace interlace::detail {
namespace {

interlace_site site_in(const char *function) {
  interlace_site site{};
  site.file = "?";
  site.function = function;
  return site;
}

TEST(SourceTextTest, AShortFunctionNameIsKept) {
  EXPECT_EQ(short_location(site_in("record")), "record");
  EXPECT_EQ(short_location(site_in("")), "?");
}

TEST(SourceTextTest, ALongFunctionNameLosesItsTemplateArgumentsAndParameters) {
  const std::string name = "std::__atomic_base<unsigned long>::fetch_add(unsigned long, "
                           "std::memory_order)";
  EXPECT_EQ(short_location(site_in(name.c_str())), "std::__atomic_base<>::fetch_add()");
}

TEST(SourceTextTest, ANameStillTooLongKeepsItsInnermostNames) {
  const std::string name =
      "moodycamel::ConcurrentQueue<int, moodycamel::ConcurrentQueueDefaultTraits>::"
      "ImplicitProducer::insert_block_index_entry<(moodycamel::ConcurrentQueue<int, "
      "moodycamel::ConcurrentQueueDefaultTraits>::AllocationMode)0>(moodycamel::"
      "ConcurrentQueue<int, moodycamel::ConcurrentQueueDefaultTraits>::Block*&, unsigned long)";
  ASSERT_GT(name.size(), 150u);
  const std::string shown = short_location(site_in(name.c_str()));
  EXPECT_LE(shown.size(), 40u);
  EXPECT_EQ(shown, "...insert_block_index_entry<>()");
}

TEST(SourceTextTest, ASiteWithALineShowsFileAndLine) {
  interlace_site site{};
  site.file = "/src/bank/account.cpp";
  site.line = 12;
  EXPECT_EQ(short_location(site), "account.cpp:12");
}

} // namespace
} // namespace interlace::detail
