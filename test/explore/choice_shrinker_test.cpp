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

TEST(ChoiceShrinkerTest, ZeroesThreadChoicesThenWholeChunksThenLowersEachChoiceOnce) {
  ChoiceShrinker shrinker({1, 2, 0, 3});
  std::vector<std::vector<int>> proposed;
  while (auto candidate = shrinker.next_candidate()) {
    proposed.push_back(*candidate);
  }
  EXPECT_EQ(proposed, (std::vector<std::vector<int>>{{0, 2, 0, 3}, // thread choices, halves
                                                     {0, 0, 0, 3}, // whole halves
                                                     {1, 2, 0, 0},
                                                     {1, 0, 0, 3}, // single choices
                                                     {1, 1, 0, 3}, // lowered
                                                     {1, 2, 0, 1},
                                                     {1, 2, 0, 2}}));
}

TEST(ChoiceShrinkerTest, AnAcceptedCandidateIsWhatLaterOnesStartFrom) {
  ChoiceShrinker shrinker({1, 2, 3, 4});
  const auto next = [&] { return shrinker.next_candidate().value_or(std::vector<int>{}); };
  EXPECT_EQ(next(), (std::vector<int>{0, 2, 3, 4})); // thread choices of the first half
  EXPECT_EQ(next(), (std::vector<int>{1, 2, 0, 4})); // of the second
  shrinker.accept();
  EXPECT_EQ(next(), (std::vector<int>{0, 2, 0, 4})); // single thread choices
  EXPECT_EQ(next(), (std::vector<int>{0, 0, 0, 4})); // whole halves
  EXPECT_EQ(next(), (std::vector<int>{1, 2, 0, 0}));
  shrinker.accept();
  EXPECT_EQ(next(), (std::vector<int>{0, 2, 0, 0})); // single choices
  EXPECT_EQ(next(), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(next(), (std::vector<int>{1, 1, 0, 0})); // lowered, accepted
  shrinker.accept();
  EXPECT_EQ(next(), (std::vector<int>{0, 1, 0, 0})); // all passes again from {1, 1, 0, 0}
  EXPECT_EQ(shrinker.best(), (std::vector<int>{1, 1, 0, 0}));
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
