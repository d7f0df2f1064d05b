// Golden explanations for the third-party suites: addresses, replay tokens and the command line
// masked. INTERLACE_UPDATE_GOLDEN=1 rewrites the files in test/thirdparty/golden/.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace thirdparty {

// Each racy use is looked for with this seed; correct uses run this many schedules.
constexpr std::uint64_t kSeed = 12;
constexpr int kCorrectUseSchedules = 1000;

inline std::string masked(std::string text) {
  text = std::regex_replace(text, std::regex("0x[0-9a-f]+"), "0x...");
  text = std::regex_replace(text, std::regex("INTERLACE_REPLAY=[^ \n]+ [^\n]*"),
                            "INTERLACE_REPLAY=<token> <command>");
  return text;
}

inline void expect_golden(const std::string &name, const std::string &explanation) {
  const std::string path = std::string(INTERLACE_GOLDEN_DIR) + "/" + name + ".txt";
  const std::string actual = masked(explanation);
  if (const char *update = std::getenv("INTERLACE_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "no golden file " << path << "; run with INTERLACE_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file: " << path;
}

} // namespace thirdparty
