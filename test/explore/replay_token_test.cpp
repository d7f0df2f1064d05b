// Replay tokens and the schedule simplifier (pure functions).
#include <gtest/gtest.h>

#include "interlace/errors.hpp"
#include "replay_token.hpp"
#include "schedule_simplifier.hpp"

namespace interlace::detail {
namespace {

TEST(ReplayTokenTest, RoundTripsASchedule) {
  const std::vector<int> schedule = {0, 0, 0, 1, 1, 2, 0, 0};
  const ReplayToken token{0x0123456789abcdefULL, 0xdeadbeefU, 3, runs_of(schedule), {}};
  const std::string text = encode(token);
  EXPECT_EQ(text, "il1-0123456789abcdef-deadbeef-3-0.3_1.2_2.1_0.2");
  const ReplayToken back = decode(text);
  EXPECT_EQ(back.build, token.build);
  EXPECT_EQ(back.exploration, token.exploration);
  EXPECT_EQ(back.threads, 3);
  EXPECT_EQ(back.runs, token.runs);
  EXPECT_EQ(expand(back.runs), schedule);
}

TEST(ReplayTokenTest, EncodesAnEmptySchedule) {
  const std::string text = encode(ReplayToken{1, 2, 1, {}, {}});
  EXPECT_TRUE(decode(text).runs.empty());
}

TEST(ReplayTokenTest, RoundTripsTheWaiterChoices) {
  const ReplayToken token{1, 2, 3, runs_of(std::vector<int>{0, 1, 2}), {{3, 1}, {5, 2}}};
  const std::string text = encode(token);
  EXPECT_EQ(text, "il1-0000000000000001-00000002-3-0.1_1.1_2.1-w3.1_5.2");
  EXPECT_EQ(decode(text).wakes, token.wakes);
  EXPECT_THROW(decode("il1-0-0-3-0.1-w3.0"), UsageError);     // index 0 is never recorded
  EXPECT_THROW(decode("il1-0-0-3-0.1-w3.1_2.1"), UsageError); // ordinals ascend
  EXPECT_THROW(decode("il1-0-0-3-0.1-x3.1"), UsageError);
}

TEST(ReplayTokenTest, RefusesMalformedTokensWithTheReason) {
  EXPECT_THROW(decode(""), UsageError);
  EXPECT_THROW(decode("il2-0-0-1-e"), UsageError);
  EXPECT_THROW(decode("il1-xyz-0-1-e"), UsageError);
  EXPECT_THROW(decode("il1-0-0-0-e"), UsageError);
  EXPECT_THROW(decode("il1-0-0-2-0.0"), UsageError);
  EXPECT_THROW(decode("il1-0-0-2-0.1_1"), UsageError);
  try {
    decode("il2-0-0-1-e");
  } catch (const UsageError &error) {
    EXPECT_NE(std::string(error.what()).find("another interlace version"), std::string::npos);
  }
}

TEST(ReplayTokenTest, KeepsALongScheduleAsItsRuns) {
  // Nothing is expanded while decoding: the caller checks the length first.
  const ReplayToken token = decode("il1-0-0-2-0.2147483647_1.2147483647");
  EXPECT_EQ(token.runs.size(), 2U);
  EXPECT_EQ(total_steps(token.runs), 2ULL * 2147483647ULL);
}

TEST(ReplayTokenTest, AcceptsThreadsTheExplorationsThreadsStarted) {
  // One thread body that starts a thread of its own: ids 0 and 1 in a token for 1 thread.
  const ReplayToken token = decode("il1-0-0-1-0.8_1.4_0.3");
  EXPECT_EQ(token.threads, 1);
  EXPECT_EQ(expand(token.runs).size(), 15U);
}

TEST(ReplayTokenTest, RefusesAThreadIdNoExecutionCanHave) {
  try {
    decode("il1-0-0-2-0.1_70000.1");
    FAIL() << "expected a UsageError";
  } catch (const UsageError &error) {
    EXPECT_NE(std::string(error.what()).find("names thread 70000, more than an execution has"),
              std::string::npos)
        << error.what();
  }
}

TEST(ScheduleSimplifierTest, ProposesMergingEachThreadsNeighbouringRuns) {
  // runs: 0x1 1x2 0x2 1x1
  const std::vector<int> schedule = {0, 1, 1, 0, 0, 1};
  const auto candidates = merge_candidates(schedule);
  ASSERT_EQ(candidates.size(), 4U);
  EXPECT_EQ(candidates[0], (std::vector<int>{0, 0, 0, 1, 1, 1})); // run 0 pulled back
  EXPECT_EQ(candidates[1], (std::vector<int>{1, 1, 0, 0, 0, 1})); // run 0 pushed forward
  EXPECT_EQ(candidates[2], (std::vector<int>{0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(candidates[3], (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(ScheduleSimplifierTest, HasNothingToProposeWithoutSwitchBacks) {
  EXPECT_TRUE(merge_candidates(std::vector<int>{0, 0, 1, 1, 2}).empty());
}

} // namespace
} // namespace interlace::detail
