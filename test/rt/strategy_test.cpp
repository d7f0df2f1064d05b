// Strategies, on hand-made decisions.
#include <gtest/gtest.h>

#include <deque>
#include <limits>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/replay_strategy.hpp"

namespace interlace::rt {
namespace {

class ScriptedChoices final : public ChoiceSource {
public:
  explicit ScriptedChoices(std::deque<int> script) : script_(std::move(script)) {}
  int choose(int) override {
    ++draws;
    if (script_.empty()) {
      return 0;
    }
    const int value = script_.front();
    script_.pop_front();
    return value;
  }
  int draws = 0;

private:
  std::deque<int> script_;
};

Decision decision(std::uint64_t step, int current, const std::vector<int> &candidates) {
  Decision made;
  made.step = step;
  made.current = current;
  made.candidates = candidates;
  return made;
}

TEST(ChoiceStrategyTest, ChoiceZeroKeepsTheCurrentThreadForAnUnboundedRun) {
  ScriptedChoices choices({0, 0}); // thread: candidates[0]; run length: unbounded
  ChoiceStrategy strategy(choices, 100);
  strategy.begin();
  const std::vector<int> current_first = {1, 0};
  EXPECT_EQ(strategy.next(decision(0, 1, current_first)), 1);
  for (std::uint64_t step = 1; step < 50; ++step) {
    EXPECT_EQ(strategy.next(decision(step, 1, current_first)), 1);
  }
  EXPECT_EQ(choices.draws, 2); // one decision for the whole run
}

TEST(ChoiceStrategyTest, ARunLengthChoiceEndsTheRunAfterThatManySteps) {
  // Thread choice 1 (the other thread), run length choice k: kRunLengths - k steps.
  const int k = ChoiceStrategy::kRunLengths - 3; // a run of 3 steps
  ScriptedChoices choices({1, k, 1, 0});
  ChoiceStrategy strategy(choices, 100);
  strategy.begin();
  EXPECT_EQ(strategy.next(decision(0, 0, {0, 1})), 1);
  EXPECT_EQ(strategy.next(decision(1, 1, {1, 0})), 1);
  EXPECT_EQ(strategy.next(decision(2, 1, {1, 0})), 1);
  EXPECT_EQ(choices.draws, 2);
  // The run is used up: a new decision switches back to thread 0.
  EXPECT_EQ(strategy.next(decision(3, 1, {1, 0})), 0);
  EXPECT_EQ(choices.draws, 4);
}

TEST(ChoiceStrategyTest, ADecisionIsDueWhenTheRunningThreadBlocks) {
  ScriptedChoices choices({0, 0, 1, 0});
  ChoiceStrategy strategy(choices, 100);
  strategy.begin();
  EXPECT_EQ(strategy.next(decision(0, -1, {0, 1, 2})), 0);
  // Thread 0 is no longer runnable: candidates start after it.
  EXPECT_EQ(strategy.next(decision(1, 0, {1, 2})), 2);
  EXPECT_EQ(choices.draws, 4);
}

TEST(ChoiceStrategyTest, HasNoOpinionAfterMaxOps) {
  ScriptedChoices choices({});
  ChoiceStrategy strategy(choices, 10);
  strategy.begin();
  EXPECT_EQ(strategy.next(decision(10, 0, {0, 1})), std::nullopt);
  EXPECT_EQ(choices.draws, 0);
}

TEST(ReplayStrategyTest, FollowsTheScheduleThenHasNoOpinion) {
  ReplayStrategy strategy({1, 0, 1});
  EXPECT_EQ(strategy.next(decision(0, -1, {0, 1})), 1);
  EXPECT_EQ(strategy.next(decision(1, 1, {1, 0})), 0);
  EXPECT_EQ(strategy.next(decision(2, 0, {0, 1})), 1);
  EXPECT_EQ(strategy.next(decision(3, 1, {1, 0})), std::nullopt);
}

constexpr std::uint64_t kForever = std::numeric_limits<std::uint64_t>::max();

TEST(ChoiceStrategyTest, RepeatsCoverTheRestOfTheRun) {
  const int k = ChoiceStrategy::kRunLengths - 3; // a run of 3 steps
  ScriptedChoices choices({1, k, 0, 0});
  ChoiceStrategy strategy(choices, 100);
  strategy.begin();
  EXPECT_EQ(strategy.next(decision(0, 0, {0, 1})), 1);
  EXPECT_EQ(strategy.repeats(), 2U);
  EXPECT_EQ(strategy.next(decision(1, 1, {1, 0})), 1);
  EXPECT_EQ(strategy.repeats(), 1U);
  // An unbounded run repeats until the choices end at max_ops.
  EXPECT_EQ(strategy.next(decision(3, 1, {1, 0})), 1);
  EXPECT_EQ(strategy.repeats(), 100U - 3 - 1);
}

TEST(ChoiceStrategyTest, RepeatsForeverWithOneCandidateOrPastMaxOps) {
  ScriptedChoices choices({});
  ChoiceStrategy strategy(choices, 10);
  strategy.begin();
  EXPECT_EQ(strategy.next(decision(0, 0, {0})), 0);
  EXPECT_EQ(strategy.repeats(), kForever);
  EXPECT_EQ(strategy.next(decision(10, 0, {0, 1})), std::nullopt);
  EXPECT_EQ(strategy.repeats(), kForever);
  EXPECT_EQ(choices.draws, 0);
}

TEST(ReplayStrategyTest, RepeatsCoverTheRunOfOneThread) {
  ReplayStrategy strategy({0, 0, 0, 1, 1, 0});
  EXPECT_EQ(strategy.next(decision(0, -1, {0, 1})), 0);
  EXPECT_EQ(strategy.repeats(), 2U);
  EXPECT_EQ(strategy.next(decision(1, 0, {0, 1})), 0); // asked again, mid-run
  EXPECT_EQ(strategy.repeats(), 1U);
  EXPECT_EQ(strategy.next(decision(3, 0, {0, 1})), 1);
  EXPECT_EQ(strategy.repeats(), 1U);
  EXPECT_EQ(strategy.next(decision(5, 1, {1, 0})), 0);
  EXPECT_EQ(strategy.repeats(), 0U);
  EXPECT_EQ(strategy.next(decision(6, 0, {0, 1})), std::nullopt);
  EXPECT_EQ(strategy.repeats(), kForever);
}

TEST(SeededChoiceSourceTest, IsDeterministicAndInRange) {
  SeededChoiceSource a(9);
  SeededChoiceSource b(9);
  for (int i = 0; i < 1000; ++i) {
    const int n = 2 + i % 5;
    const int value = a.choose(n);
    EXPECT_EQ(value, b.choose(n));
    EXPECT_GE(value, 0);
    EXPECT_LT(value, n);
  }
}

} // namespace
} // namespace interlace::rt
