// Boost.Thread (Debian libboost-thread-dev): boost::thread starts threads inside
// libboost_thread; its mutexes and condition variables are header code over pthread (intercepted).
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <boost/thread/condition_variable.hpp>
#include <boost/thread/locks.hpp>
#include <boost/thread/mutex.hpp>
#include <boost/thread/shared_mutex.hpp>
#include <boost/thread/thread.hpp>

#include <memory>
#include <set>

#include "golden.hpp"

namespace {

using thirdparty::expect_golden;
using thirdparty::kCorrectUseSchedules;
using thirdparty::kSeed;

struct Registry {
  boost::mutex mutex;
  std::set<int> names;
  int registered = 0;
};

TEST(BoostThreadTest, CounterUnderAMutexHolds) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Registry>(); },
                                       {[](Registry &r) {
                                          const boost::lock_guard<boost::mutex> lock(r.mutex);
                                          ++r.registered;
                                        },
                                        [](Registry &r) {
                                          const boost::lock_guard<boost::mutex> lock(r.mutex);
                                          ++r.registered;
                                        }},
                                       [](const Registry &r) { return r.registered == 2; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(BoostThreadTest, ABoostThreadStartedAndJoinedInsideABody) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Registry>(); },
                                       {[](Registry &r) {
                                          boost::thread helper([&r] {
                                            const boost::lock_guard<boost::mutex> lock(r.mutex);
                                            ++r.registered;
                                          });
                                          helper.join();
                                        },
                                        [](Registry &r) {
                                          const boost::lock_guard<boost::mutex> lock(r.mutex);
                                          ++r.registered;
                                        }},
                                       [](const Registry &r) { return r.registered == 2; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(BoostThreadTest, ConditionVariableHandsOverAValue) {
  struct Mailbox {
    boost::mutex mutex;
    boost::condition_variable ready;
    int value = 0;
    int received = 0;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Mailbox>(); },
                                       {[](Mailbox &m) {
                                          {
                                            const boost::lock_guard<boost::mutex> lock(m.mutex);
                                            m.value = 7;
                                          }
                                          m.ready.notify_one();
                                        },
                                        [](Mailbox &m) {
                                          boost::unique_lock<boost::mutex> lock(m.mutex);
                                          while (m.value == 0) {
                                            m.ready.wait(lock);
                                          }
                                          m.received = m.value;
                                        }},
                                       [](const Mailbox &m) { return m.received == 7; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(BoostThreadTest, SharedMutexReadersSeeWholeUpdates) {
  struct Config {
    boost::shared_mutex mutex;
    int low = 0;
    int high = 0;
    bool torn = false;
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Config>(); },
      {[](Config &c) {
         const boost::unique_lock<boost::shared_mutex> lock(c.mutex);
         c.low = 1;
         c.high = 1;
       },
       [](Config &c) {
         const boost::shared_lock<boost::shared_mutex> lock(c.mutex);
         c.torn = c.low != c.high;
       }},
      [](const Config &c) { return !c.torn; },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

// The user's race: the check and the insert are two critical sections.
void register_name(Registry &registry, int name) {
  bool known = false;
  {
    const boost::lock_guard<boost::mutex> lock(registry.mutex);
    known = registry.names.count(name) != 0;
  }
  if (!known) {
    const boost::lock_guard<boost::mutex> lock(registry.mutex);
    registry.names.insert(name);
    ++registry.registered;
  }
}

TEST(BoostThreadTest, CheckThenActAcrossTwoCriticalSectionsIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Registry>(); },
      {[](Registry &r) { register_name(r, 5); }, [](Registry &r) { register_name(r, 5); }},
      [](const Registry &r) { return r.registered == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("boost_thread_check_then_act", result.explanation);
}

TEST(BoostThreadTest, LockOrderInversionIsADeadlockNamingBothLocks) {
  struct Accounts {
    boost::mutex from;
    boost::mutex to;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Accounts>(); },
                                       {[](Accounts &a) {
                                          const boost::lock_guard<boost::mutex> first(a.from);
                                          const boost::lock_guard<boost::mutex> second(a.to);
                                        },
                                        [](Accounts &a) {
                                          const boost::lock_guard<boost::mutex> first(a.to);
                                          const boost::lock_guard<boost::mutex> second(a.from);
                                        }},
                                       [](const Accounts &) { return true; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  EXPECT_NE(result.explanation.find("deadlock"), std::string::npos) << result.explanation;
  expect_golden("boost_thread_lock_order_inversion", result.explanation);
}

TEST(BoostThreadTest, UnsynchronizedCounterBesideTheLockIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Registry>(); },
      {[](Registry &r) {
         {
           const boost::lock_guard<boost::mutex> lock(r.mutex);
           r.names.insert(1);
         }
         ++r.registered;
       },
       [](Registry &r) {
         {
           const boost::lock_guard<boost::mutex> lock(r.mutex);
           r.names.insert(2);
         }
         ++r.registered;
       }},
      [](const Registry &r) { return r.registered == 2; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("boost_thread_counter", result.explanation);
}

} // namespace
