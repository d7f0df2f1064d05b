// INTERLACE_SHARD: one exploration spread over processes, each running its share of the
// attempts with a seed of its own (explore/src/sharding.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "explore_helpers.hpp"
#include "interlace/interlace.hpp"

namespace {

using interlace::testing::ScopedEnv;

struct Atomic {
  std::atomic<int> value{0};
};

interlace::InterleavingResult<Atomic> explore_atomic(int attempts) {
  return interlace::explore_interleavings(
      [] { return std::make_unique<Atomic>(); },
      {[](Atomic &a) { a.value++; }, [](Atomic &a) { a.value++; }},
      [](const Atomic &a) { return a.value == 2; }, {.max_attempts = attempts, .seed = 3});
}

TEST(ShardingTest, EachShardRunsItsShareOfTheAttemptsWithASeedOfItsOwn) {
  const auto whole = explore_atomic(10);
  std::set<std::uint64_t> seeds = {whole.seed};
  int explored = 0;
  for (const char *shard : {"0/3", "1/3", "2/3"}) {
    const ScopedEnv env("INTERLACE_SHARD", shard);
    const auto result = explore_atomic(10);
    EXPECT_TRUE(result.property_holds);
    seeds.insert(result.seed);
    explored += result.num_explored;
  }
  EXPECT_EQ(explored, 10); // 4 + 3 + 3
  EXPECT_EQ(seeds.size(), 4U) << "every shard has a seed of its own, none the unsharded one";
}

TEST(ShardingTest, OneShardIsTheUnshardedSearch) {
  const auto whole = explore_atomic(10);
  const ScopedEnv env("INTERLACE_SHARD", "0/1");
  const auto single = explore_atomic(10);
  EXPECT_EQ(single.seed, whole.seed);
  EXPECT_EQ(single.num_explored, whole.num_explored);
}

TEST(ShardingTest, AMalformedShardIsAUsageErrorThatSaysWhatItExpects) {
  for (const char *text : {"3", "2/2", "1/0", "a/b"}) {
    const ScopedEnv env("INTERLACE_SHARD", text);
    try {
      explore_atomic(10);
      ADD_FAILURE() << "INTERLACE_SHARD=" << text << " was accepted";
    } catch (const interlace::UsageError &error) {
      EXPECT_NE(std::string(error.what()).find("INTERLACE_SHARD"), std::string::npos)
          << error.what();
    }
  }
}

} // namespace
