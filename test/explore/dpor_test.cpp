// The systematic search (Search::dpor): the optimal execution counts of the classic DPOR
// benchmarks (dpor_programs.hpp; the large sizes are in bench/dpor), exhaustive verdicts, and
// failures found, shrunk and replayed like any other.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "dpor_programs.hpp"
#include "explore_helpers.hpp"

namespace interlace::testing {
namespace {

using namespace interlace::dpor_programs; // NOLINT(google-build-using-namespace)

template <class State> void expect_optimal_count(int expected) {
  const auto result = explore_all<State>();
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive) << result.explanation;
  EXPECT_EQ(complete_executions(result), expected) << result.explanation;
}

TEST(DporCountTest, Readers8) { expect_optimal_count<Readers<8>>(256); }
TEST(DporCountTest, LastZero10) { expect_optimal_count<LastZero<10>>(3328); }
TEST(DporCountTest, Indexer13) { expect_optimal_count<Indexer<13>>(64); }
TEST(DporCountTest, FileSystem18) { expect_optimal_count<FileSystem<18>>(32); }
TEST(DporCountTest, Coherence2W4) { expect_optimal_count<Coherence2W<4>>(2520); }
TEST(DporCountTest, Szymanski) { expect_optimal_count<Szymanski>(22945); }
TEST(DporCountTest, Dijkstra) { expect_optimal_count<Dijkstra>(135); }
TEST(DporCountTest, Peterson) { expect_optimal_count<Peterson>(2420); }
TEST(DporCountTest, Parker8) { expect_optimal_count<Parker<8>>(2008); }

TEST(DporTest, ARacyProgramIsFoundShrunkAndReplayedAndTheSearchIsNotExhaustive) {
  const auto result = explore_counter({.seed = 3, .search = Search::dpor});
  ASSERT_FALSE(result.property_holds);
  EXPECT_FALSE(result.exhaustive);
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1) << result.explanation;
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("search dpor"), std::string::npos) << result.explanation;
}

TEST(DporTest, ARaceFreeProgramHoldsForEveryInterleavingAndSaysSo) {
  struct Locked {
    std::mutex mutex;
    int value = 0;
  };
  const auto increment = [](Locked &s) {
    const std::lock_guard<std::mutex> guard(s.mutex);
    s.value = s.value + 1;
  };
  const auto result = explore_interleavings(
      [] { return std::make_unique<Locked>(); }, {increment, increment, increment},
      [](const Locked &s) { return s.value == 3; }, {.search = Search::dpor});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive);
  // Three critical sections on one mutex: 3! orders of acquisition, nothing else to reorder.
  EXPECT_EQ(complete_executions(result), 6) << result.explanation;
  EXPECT_NE(result.explanation.find("holds for all 6 interleavings (exhaustive"), std::string::npos)
      << result.explanation;
}

TEST(DporTest, MaxAttemptsStopsItEarlyAndThenItIsNotExhaustive) {
  const auto result = explore_all<Readers<8>>({.max_attempts = 10});
  EXPECT_TRUE(result.property_holds);
  EXPECT_FALSE(result.exhaustive);
  EXPECT_EQ(result.num_explored, 10);
  EXPECT_NE(result.explanation.find("sampled, not exhaustive"), std::string::npos)
      << result.explanation;
}

TEST(DporTest, APreemptionBoundLimitsTheSearchAndTheVerdictNamesIt) {
  ExploreOptions options;
  options.preemption_bound = 1;
  const auto bounded = explore_all<Coherence2W<3>>(options);
  const auto full = explore_all<Coherence2W<3>>();
  EXPECT_EQ(complete_executions(full), 90); // 6! / 2^3
  EXPECT_LT(complete_executions(bounded), complete_executions(full));
  EXPECT_TRUE(bounded.exhaustive);
  EXPECT_NE(bounded.explanation.find("exhaustive with at most 1 preemption"), std::string::npos)
      << bounded.explanation;
}

TEST(DporTest, AnAssumptionThatDoesNotHoldDiscardsTheExecutionWithoutFailingIt) {
  struct Flag {
    std::atomic<int> flag{0};
    std::atomic<int> seen{0};
  };
  const auto result = explore_interleavings(
      [] { return std::make_unique<Flag>(); },
      {[](Flag &s) { s.flag.store(1); },
       [](Flag &s) {
         interlace::assume(s.flag.load() == 1); // a spin-wait for the flag, as an assumption
         s.seen.store(1);
       }},
      [](const Flag &s) { return s.seen.load() == 1; }, {.search = Search::dpor});
  EXPECT_TRUE(result.property_holds) << result.explanation;
  EXPECT_TRUE(result.exhaustive);
  EXPECT_EQ(complete_executions(result), 1);
  EXPECT_EQ(result.num_discarded, 1);
}

} // namespace
} // namespace interlace::testing
