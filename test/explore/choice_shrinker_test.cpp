// Shrinking any search's failure through choice sequences: the recorder writes a schedule as
// ChoiceStrategy choices, the replay follows them, the shrinker proposes zeroed chunks.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <iterator>
#include <vector>

#include "choice_shrinker.hpp"
#include "interlace/rt/executor.hpp"

namespace interlace::detail {
namespace {

TEST(ChoiceShrinkerTest, ZeroesHalvesThenQuartersThenSingleChoicesThenLowersEach) {
  ChoiceShrinker shrinker({1, 2, 0, 3});
  std::vector<std::vector<int>> proposed;
  while (auto candidate = shrinker.next_candidate()) {
    proposed.push_back(*candidate);
  }
  EXPECT_EQ(proposed, (std::vector<std::vector<int>>{{0, 0, 0, 3},
                                                     {1, 2, 0, 0},
                                                     {0, 2, 0, 3},
                                                     {1, 0, 0, 3},
                                                     {1, 2, 0, 0},
                                                     {1, 1, 0, 3},
                                                     {1, 2, 0, 1},
                                                     {1, 2, 0, 2}}));
}

TEST(ChoiceShrinkerTest, AnAcceptedCandidateIsWhatLaterOnesStartFromAndZerosAreSkipped) {
  ChoiceShrinker shrinker({1, 2, 3, 4});
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 3, 4}));
  shrinker.accept();
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 0, 0}));
  // Single choices: the two zeros are skipped.
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 0, 4}));
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 3, 0}));
  // Lowering: 3 to 1, accepted; then 4 to 1, 2, 3.
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 1, 4}));
  shrinker.accept();
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 1, 2}));
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 1, 3}));
  // An accepted lowering starts both passes again from {0, 0, 1, 4}.
  EXPECT_EQ(shrinker.next_candidate().value_or(std::vector<int>{}), (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(shrinker.best(), (std::vector<int>{0, 0, 1, 4}));
}

TEST(ChoiceShrinkerTest, AListSourceWrapsOutOfRangeValuesAndEndsWithZeros) {
  const std::vector<int> choices = {5, 1};
  ListChoiceSource source(choices);
  EXPECT_EQ(source.choose(3), 2);
  EXPECT_EQ(source.choose(8), 1);
  EXPECT_EQ(source.choose(8), 0);
}

std::atomic<int> g_cells[3];

// Any schedule, written down as choices by the recorder, is the schedule those choices give.
TEST(ChoiceShrinkerTest, RecordedChoicesReproduceTheSchedule) {
  std::vector<std::function<void()>> bodies;
  bodies.reserve(std::size(g_cells));
  for (std::atomic<int> &cell : g_cells) {
    bodies.emplace_back([&cell] {
      for (int i = 0; i < 20; ++i) {
        cell.fetch_add(1);
      }
    });
  }
  rt::Executor executor;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    rt::SeededChoiceSource source(seed);
    rt::ChoiceStrategy random(source, 1000);
    ASSERT_FALSE(executor.run(bodies, random).failed());
    const std::vector<int> schedule(executor.schedule().begin(), executor.schedule().end());

    ChoiceRecorder recorder(schedule, {});
    ASSERT_FALSE(executor.run(bodies, recorder).failed());
    ASSERT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()), schedule);

    const std::vector<int> choices = recorder.choices();
    ChoiceReplay replay(choices, {});
    ASSERT_FALSE(executor.run(bodies, replay).failed());
    EXPECT_EQ(std::vector<int>(executor.schedule().begin(), executor.schedule().end()), schedule)
        << "seed " << seed;
  }
}

} // namespace
} // namespace interlace::detail
