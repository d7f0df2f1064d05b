// Replay tokens and determinism across processes, as a user meets them: the probe program is
// run with INTERLACE_REPLAY / INTERLACE_SEED in its environment.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>

namespace {

struct ProbeRun {
  int status = -1;
  std::string output;
};

ProbeRun run_probe(const std::string &environment, const std::string &arguments = "") {
  const std::string command =
      environment + " " + INTERLACE_PROBE_PATH + " " + arguments + " 2>/dev/null";
  ProbeRun run;
  FILE *pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    run.output += buffer.data();
  }
  run.status = pclose(pipe);
  return run;
}

// "label key=value ..." lines into label.key -> value.
std::map<std::string, std::string> fields(const std::string &output) {
  std::map<std::string, std::string> result;
  std::size_t line_start = 0;
  while (line_start < output.size()) {
    const std::size_t line_end = output.find('\n', line_start);
    const std::string line = output.substr(line_start, line_end - line_start);
    const std::string label = line.substr(0, line.find(' '));
    std::size_t pos = line.find(' ');
    while (pos != std::string::npos) {
      const std::size_t next = line.find(' ', pos + 1);
      const std::string item = line.substr(pos + 1, next - pos - 1);
      const std::size_t equals = item.find('=');
      result[label + "." + item.substr(0, equals)] =
          equals == std::string::npos ? "" : item.substr(equals + 1);
      pos = next;
    }
    if (line_end == std::string::npos) {
      break;
    }
    line_start = line_end + 1;
  }
  return result;
}

TEST(ReplayTest, TheSameSeedGivesTheSameResultInEveryProcess) {
  const ProbeRun first = run_probe("");
  const ProbeRun second = run_probe("");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(first.output, second.output);
  EXPECT_EQ(fields(first.output)["first.holds"], "0");
  EXPECT_EQ(fields(first.output)["first.preemptions"], "1");
}

TEST(ReplayTest, AReplayTokenRerunsExactlyThatScheduleInAnotherProcess) {
  const auto original = fields(run_probe("").output);
  ASSERT_FALSE(original.at("first.replay").empty());
  const ProbeRun replay = run_probe("INTERLACE_REPLAY=" + original.at("first.replay"));
  ASSERT_EQ(replay.status, 0) << replay.output;
  const auto replayed = fields(replay.output);
  EXPECT_TRUE(replayed.count("first.replayed")) << replay.output;
  EXPECT_EQ(replayed.at("first.explored"), "1");
  EXPECT_EQ(replayed.at("first.schedule"), original.at("first.schedule"));
  EXPECT_EQ(replayed.at("first.value"), "1");
  EXPECT_EQ(replayed.at("first.reproduced"), "10/10");
  EXPECT_EQ(replayed.at("first.replay"), original.at("first.replay"));
}

// Whichever search found the failure, its token reruns it; and each search is deterministic
// across processes.
class EverySearchReplayTest : public ::testing::TestWithParam<const char *> {};

TEST_P(EverySearchReplayTest, ItsTokenRerunsTheFailureAndItsSeedGivesTheSameResult) {
  const std::string search = std::string("INTERLACE_SEARCH=") + GetParam();
  const ProbeRun first = run_probe(search);
  const ProbeRun second = run_probe(search);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(first.output, second.output);
  const auto original = fields(first.output);
  EXPECT_EQ(original.at("first.holds"), "0");
  EXPECT_EQ(original.at("first.preemptions"), "1");
  const ProbeRun replay = run_probe(search + " INTERLACE_REPLAY=" + original.at("first.replay"));
  const auto replayed = fields(replay.output);
  EXPECT_TRUE(replayed.count("first.replayed")) << replay.output;
  EXPECT_EQ(replayed.at("first.schedule"), original.at("first.schedule"));
  EXPECT_EQ(replayed.at("first.reproduced"), "10/10");
}

INSTANTIATE_TEST_SUITE_P(Searches, EverySearchReplayTest,
                         ::testing::Values("automatic", "random", "pct", "pos", "surw"));

TEST(ReplayTest, ATokenAppliesOnlyToItsExplorationEvenThroughASharedHelper) {
  const auto original = fields(run_probe("", "helper").output);
  ASSERT_NE(original.at("first.replay"), original.at("second.replay"));
  const ProbeRun replay = run_probe("INTERLACE_REPLAY=" + original.at("second.replay"), "helper");
  const auto replayed = fields(replay.output);
  EXPECT_FALSE(replayed.count("first.replayed")) << replay.output;
  EXPECT_EQ(replayed.at("first.explored"), original.at("first.explored"));
  EXPECT_TRUE(replayed.count("second.replayed")) << replay.output;
  EXPECT_EQ(replayed.at("second.explored"), "1");
  EXPECT_EQ(replayed.at("second.schedule"), original.at("second.schedule"));
}

TEST(ReplayTest, ATokenFromAnotherBuildIsRefusedWithTheReason) {
  std::string token = fields(run_probe("").output).at("first.replay");
  token[4] = token[4] == '0' ? '1' : '0'; // the build fingerprint
  const ProbeRun replay = run_probe("INTERLACE_REPLAY=" + token);
  EXPECT_NE(replay.status, 0);
  EXPECT_NE(replay.output.find("usage error: INTERLACE_REPLAY was recorded by a different build"),
            std::string::npos)
      << replay.output;
}

// A rebuilt program whose explore call moved: the key differs too, but the cause is the build.
TEST(ReplayTest, ATokenFromAnotherBuildWithAnotherExplorationKeyNamesTheBuild) {
  std::string token = fields(run_probe("").output).at("first.replay");
  token[4] = token[4] == '0' ? '1' : '0';   // the build fingerprint
  token[21] = token[21] == '0' ? '1' : '0'; // the exploration key
  const ProbeRun replay = run_probe("INTERLACE_REPLAY=" + token);
  EXPECT_NE(replay.status, 0);
  EXPECT_NE(replay.output.find("usage error: INTERLACE_REPLAY was recorded by a different build"),
            std::string::npos)
      << replay.output;
}

TEST(ReplayTest, InterlaceSeedMakesEveryExplorationUseThatSeed) {
  const auto with_seed = fields(run_probe("INTERLACE_SEED=5").output);
  const auto again = fields(run_probe("INTERLACE_SEED=5").output);
  EXPECT_EQ(with_seed, again);
  EXPECT_EQ(with_seed.at("first.holds"), "0");
}

} // namespace
