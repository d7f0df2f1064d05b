// Abseil (Debian libabsl-dev): absl::Mutex and absl::CondVar live in the prebuilt
// libabsl_synchronization.so; the runtime interposes their entry points (rt/src/abseil_mutex.cpp).
// Its containers are header code, instrumented with the test.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <absl/container/flat_hash_map.h>
#include <absl/synchronization/mutex.h>

#include <map>
#include <memory>

#include "golden.hpp"

namespace {

using thirdparty::expect_golden;
using thirdparty::kCorrectUseSchedules;
using thirdparty::kSeed;

// A std::map, not an absl::flat_hash_map: Abseil's hash is seeded per process (by an address),
// so a flat_hash_map's accesses, and the golden explanations, would change from run to run.
struct Cache {
  absl::Mutex mutex;
  std::map<int, int> entries;
  int computed = 0;
};

TEST(AbseilTest, CounterUnderAMutexHolds) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Cache>(); },
                                       {[](Cache &c) {
                                          const absl::MutexLock lock(&c.mutex);
                                          ++c.computed;
                                        },
                                        [](Cache &c) {
                                          const absl::MutexLock lock(&c.mutex);
                                          ++c.computed;
                                        }},
                                       [](const Cache &c) { return c.computed == 2; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(AbseilTest, CheckAndActInOneCriticalSectionHolds) {
  struct HashCache {
    absl::Mutex mutex;
    absl::flat_hash_map<int, int> entries;
    int computed = 0;
  };
  auto get_or_compute = [](HashCache &cache, int key) {
    const absl::MutexLock lock(&cache.mutex);
    if (!cache.entries.contains(key)) {
      cache.entries[key] = key * 2;
      ++cache.computed;
    }
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<HashCache>(); },
      {[&](HashCache &c) { get_or_compute(c, 1); }, [&](HashCache &c) { get_or_compute(c, 1); }},
      [](const HashCache &c) { return c.computed == 1; },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(AbseilTest, CondVarHandsOverAValue) {
  struct Mailbox {
    absl::Mutex mutex;
    absl::CondVar ready;
    int value = 0;
    int received = 0;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Mailbox>(); },
                                       {[](Mailbox &m) {
                                          const absl::MutexLock lock(&m.mutex);
                                          m.value = 7;
                                          m.ready.Signal();
                                        },
                                        [](Mailbox &m) {
                                          const absl::MutexLock lock(&m.mutex);
                                          while (m.value == 0) {
                                            m.ready.Wait(&m.mutex);
                                          }
                                          m.received = m.value;
                                        }},
                                       [](const Mailbox &m) { return m.received == 7; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(AbseilTest, ReaderLocksSeeWholeUpdates) {
  struct Config {
    absl::Mutex mutex;
    int low = 0;
    int high = 0;
    bool torn = false;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Config>(); },
                                       {[](Config &c) {
                                          const absl::WriterMutexLock lock(&c.mutex);
                                          c.low = 1;
                                          c.high = 1;
                                        },
                                        [](Config &c) {
                                          const absl::ReaderMutexLock lock(&c.mutex);
                                          c.torn = c.low != c.high;
                                        }},
                                       [](const Config &c) { return !c.torn; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

// The user's race: check, then act, in two critical sections.
void get_or_compute(Cache &cache, int key) {
  bool missing = false;
  {
    const absl::MutexLock lock(&cache.mutex);
    missing = !cache.entries.contains(key);
  }
  if (missing) {
    const absl::MutexLock lock(&cache.mutex);
    cache.entries[key] = key * 2;
    ++cache.computed;
  }
}

TEST(AbseilTest, CheckThenActAcrossTwoCriticalSectionsIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Cache>(); },
      {[](Cache &c) { get_or_compute(c, 1); }, [](Cache &c) { get_or_compute(c, 1); }},
      [](const Cache &c) { return c.computed == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("abseil_check_then_act", result.explanation);
}

struct Accounts {
  absl::Mutex from;
  absl::Mutex to;
  int moved = 0;
};

TEST(AbseilTest, LockOrderInversionIsADeadlockNamingBothLocks) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Accounts>(); },
                                                 {[](Accounts &a) {
                                                    const absl::MutexLock first(&a.from);
                                                    const absl::MutexLock second(&a.to);
                                                    ++a.moved;
                                                  },
                                                  [](Accounts &a) {
                                                    const absl::MutexLock first(&a.to);
                                                    const absl::MutexLock second(&a.from);
                                                    ++a.moved;
                                                  }},
                                                 [](const Accounts &a) { return a.moved == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("deadlock"), std::string::npos) << result.explanation;
  expect_golden("abseil_lock_order_inversion", result.explanation);
}

// A failure inside Abseil's code, on a thread that then unwinds out of a Mutex wait, must leave
// Abseil usable: the same deadlock again and again, then a correct use that passes.
TEST(AbseilTest, TeardownInsideAbseilLeavesItClean) {
  for (int round = 0; round < 3; ++round) {
    auto failing = interlace::explore_interleavings([] { return std::make_unique<Accounts>(); },
                                                    {[](Accounts &a) {
                                                       const absl::MutexLock first(&a.from);
                                                       const absl::MutexLock second(&a.to);
                                                     },
                                                     [](Accounts &a) {
                                                       const absl::MutexLock first(&a.to);
                                                       const absl::MutexLock second(&a.from);
                                                     }},
                                                    [](const Accounts &) { return true; },
                                                    {.seed = kSeed + round});
    ASSERT_FALSE(failing.property_holds);
    EXPECT_EQ(failing.reproduction_successes, failing.reproduction_attempts);
  }
  auto correct = interlace::explore_interleavings([] { return std::make_unique<Accounts>(); },
                                                  {[](Accounts &a) {
                                                     const absl::MutexLock first(&a.from);
                                                     const absl::MutexLock second(&a.to);
                                                     ++a.moved;
                                                   },
                                                   [](Accounts &a) {
                                                     const absl::MutexLock first(&a.from);
                                                     const absl::MutexLock second(&a.to);
                                                     ++a.moved;
                                                   }},
                                                  [](const Accounts &a) { return a.moved == 2; },
                                                  {.max_attempts = 200, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(correct);
}

// Abseil's own check fails and aborts: the explanation quotes what it printed.
void record(Cache &cache) {
  cache.mutex.AssertHeld();
  ++cache.computed;
}

TEST(AbseilTest, AbseilsOwnDiagnosticIsInTheExplanation) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Cache>(); },
                                                 {[](Cache &c) {
                                                    const absl::MutexLock lock(&c.mutex);
                                                    record(c);
                                                  },
                                                  [](Cache &c) { record(c); }},
                                                 [](const Cache &c) { return c.computed == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("thread should hold write lock on Mutex"), std::string::npos)
      << result.explanation;
  expect_golden("abseil_assert_held", result.explanation);
}

TEST(AbseilTest, UnsynchronizedCounterBesideTheLockIsFound) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Cache>(); },
                                                 {[](Cache &c) {
                                                    {
                                                      const absl::MutexLock lock(&c.mutex);
                                                      c.entries[1] = 1;
                                                    }
                                                    ++c.computed;
                                                  },
                                                  [](Cache &c) {
                                                    {
                                                      const absl::MutexLock lock(&c.mutex);
                                                      c.entries[2] = 2;
                                                    }
                                                    ++c.computed;
                                                  }},
                                                 [](const Cache &c) { return c.computed == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("abseil_counter", result.explanation);
}

} // namespace
