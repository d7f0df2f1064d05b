// Golden tests: the exact explanation of each failure kind on a small program (addresses,
// replay tokens and the command line masked). INTERLACE_UPDATE_GOLDEN=1 rewrites the files.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

std::string masked(std::string text) {
  text = std::regex_replace(text, std::regex("0x[0-9a-f]+"), "0x...");
  text = std::regex_replace(text, std::regex("INTERLACE_REPLAY=[^ \n]+ [^\n]*"),
                            "INTERLACE_REPLAY=<token> <command>");
  return text;
}

void expect_golden(const std::string &name, const std::string &explanation) {
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

// --- lost update ------------------------------------------------------------------------

struct Counter {
  int value = 0;
  void increment() {
    int seen = value;
    value = seen + 1;
  }
};

TEST(ExplanationGoldenTest, LostUpdate) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("lost update: thread 0 and thread 1 both read Counter::value"),
            std::string::npos)
      << result.explanation;
  expect_golden("lost_update", result.explanation);
}

// --- write-write conflict ---------------------------------------------------------------

struct Flag {
  int owner = 0;
};

TEST(ExplanationGoldenTest, WriteWriteConflict) {
  auto result = interlace::explore_interleavings(
      [] { return Flag{}; }, {[](Flag &f) { f.owner = 1; }, [](Flag &f) { f.owner = 2; }},
      [](const Flag &f) { return f.owner == 2; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  expect_golden("write_write", result.explanation);
}

// --- order violation --------------------------------------------------------------------

struct Config {
  int port = 0;
  int used = -1;
};

TEST(ExplanationGoldenTest, OrderViolation) {
  auto result = interlace::explore_interleavings(
      [] { return Config{}; },
      {[](Config &c) { c.port = 8080; }, [](Config &c) { c.used = c.port; }},
      [](const Config &c) { return c.used == 8080; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  expect_golden("order_violation", result.explanation);
}

// --- atomicity violation ----------------------------------------------------------------

// An atomic, so that the optimiser keeps both reads (two plain reads with nothing between
// them are one read at -O2).
struct Reading {
  std::atomic<int> sample{1};
  bool consistent = true;
};

TEST(ExplanationGoldenTest, AtomicityViolation) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Reading>(); },
                                       {[](Reading &r) {
                                          const int first = r.sample.load();
                                          const int second = r.sample.load();
                                          r.consistent = first == second;
                                        },
                                        [](Reading &r) { r.sample.store(2); }},
                                       [](const Reading &r) { return r.consistent; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("atomicity violation: thread 0 read Reading::sample twice"),
            std::string::npos)
      << result.explanation;
  expect_golden("atomicity_violation", result.explanation);
}

// --- deadlock ---------------------------------------------------------------------------

struct Locks {
  std::mutex a;
  std::mutex b;
};

TEST(ExplanationGoldenTest, Deadlock) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Locks>(); },
                                                 {[](Locks &l) {
                                                    std::lock_guard<std::mutex> first(l.a);
                                                    std::lock_guard<std::mutex> second(l.b);
                                                  },
                                                  [](Locks &l) {
                                                    std::lock_guard<std::mutex> first(l.b);
                                                    std::lock_guard<std::mutex> second(l.a);
                                                  }},
                                                 [](const Locks &) { return true; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  expect_golden("deadlock", result.explanation);
}

// --- livelock ---------------------------------------------------------------------------

struct Handshake {
  std::atomic<bool> ready{false};
};

TEST(ExplanationGoldenTest, Livelock) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Handshake>(); }, {[](Handshake &h) {
        while (!h.ready.load()) { // nobody ever sets it
        }
      }},
      [](const Handshake &) { return true; }, {.seed = 7, .max_steps = 200});
  ASSERT_FALSE(result.property_holds);
  expect_golden("livelock", result.explanation);
}

// --- exception --------------------------------------------------------------------------

struct Account {
  int balance = 100;
  void withdraw(int amount) {
    const int available = balance;
    if (available < amount) {
      throw std::runtime_error("overdrawn");
    }
    balance = available - amount;
  }
};

TEST(ExplanationGoldenTest, Exception) {
  auto result = interlace::explore_interleavings(
      [] { return Account{}; },
      {[](Account &a) { a.withdraw(70); }, [](Account &a) { a.withdraw(70); }},
      [](const Account &) { return true; }, {.seed = 7});
  ASSERT_FALSE(result.property_holds);
  expect_golden("exception", result.explanation);
}

// --- holds ------------------------------------------------------------------------------

TEST(ExplanationGoldenTest, NoFailure) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Handshake>(); },
      {[](Handshake &h) { h.ready.store(true); }, [](Handshake &h) { h.ready.store(true); }},
      [](const Handshake &h) { return h.ready.load(); }, {.max_attempts = 50, .seed = 7});
  ASSERT_TRUE(result.property_holds);
  expect_golden("no_failure", result.explanation);
}

} // namespace
