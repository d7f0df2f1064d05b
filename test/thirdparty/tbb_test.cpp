// oneTBB (Debian libtbb-dev): its task scheduler's worker threads are started inside libtbb
// and wait for work after the test's threads finish (not a deadlock: the execution ends when
// the bodies have); its containers are header code, instrumented with the test.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <oneapi/tbb/concurrent_hash_map.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <future>
#include <memory>

#include "golden.hpp"

namespace {

using thirdparty::expect_golden;
using thirdparty::kCorrectUseSchedules;
using thirdparty::kSeed;

struct Sum {
  std::atomic<int> total{0};
};

TEST(TbbTest, TaskGroupInsideAThreadBodyIsNotADeadlock) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Sum>(); },
                                       {[](Sum &s) {
                                          tbb::task_group group;
                                          group.run([&] { s.total += 1; });
                                          group.run([&] { s.total += 2; });
                                          group.wait();
                                        },
                                        [](Sum &s) { s.total += 4; }},
                                       [](const Sum &s) { return s.total == 7; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(TbbTest, ParallelForInsideAThreadBodyIsNotADeadlock) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Sum>(); },
      {[](Sum &s) { tbb::parallel_for(0, 4, [&](int i) { s.total += i; }); },
       [](Sum &s) { s.total += 10; }},
      [](const Sum &s) { return s.total == 16; },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(TbbTest, AsyncWithTheDefaultPolicyInsideAThreadBodyWorks) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Sum>(); },
                                       {[](Sum &s) {
                                          auto part = std::async([&] { return 3; });
                                          s.total += part.get();
                                        },
                                        [](Sum &s) { s.total += 4; }},
                                       [](const Sum &s) { return s.total == 7; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

using Table = tbb::concurrent_hash_map<int, int>;

struct Cache {
  Table table;
  int computed = 0;
};

TEST(TbbTest, ConcurrentHashMapInsertIsAtomic) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Cache>(); },
                                       {[](Cache &c) {
                                          Table::accessor entry;
                                          if (c.table.insert(entry, 1)) {
                                            entry->second = 10;
                                          }
                                        },
                                        [](Cache &c) {
                                          Table::accessor entry;
                                          if (c.table.insert(entry, 1)) {
                                            entry->second = 20;
                                          }
                                        }},
                                       [](const Cache &c) { return c.table.size() == 1; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

// The user's race: count() then insert() is a check, then an act.
void compute_once(Cache &cache, int key) {
  if (cache.table.count(key) == 0) {
    cache.table.insert({key, key * 2});
    ++cache.computed;
  }
}

TEST(TbbTest, CheckThenActOnConcurrentHashMapIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Cache>(); },
      {[](Cache &c) { compute_once(c, 7); }, [](Cache &c) { compute_once(c, 7); }},
      [](const Cache &c) { return c.computed == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("tbb_check_then_act", result.explanation);
}

TEST(TbbTest, UnsynchronizedCounterInTasksIsFound) {
  struct Counter {
    int done = 0;
  };
  auto result = interlace::explore_interleavings([] { return std::make_unique<Counter>(); },
                                                 {[](Counter &c) {
                                                    tbb::task_group group;
                                                    group.run([&] { ++c.done; });
                                                    group.wait();
                                                  },
                                                  [](Counter &c) { ++c.done; }},
                                                 [](const Counter &c) { return c.done == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("tbb_counter_in_tasks", result.explanation);
}

} // namespace
