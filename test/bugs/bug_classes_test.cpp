// The seed's bug classes in C++: each race is found with its exact counterexample, and the
// correctly synchronised versions report no failure.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace {

constexpr std::uint64_t kSeed = 2024;

// --- Lost update on a counter -----------------------------------------------------------

struct Counter {
  int value = 0;
  void increment() {
    int temp = value;
    value = temp + 1;
  }
};

TEST(BugClassesTest, CounterLostUpdate) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1);
  EXPECT_EQ(result.reproduction_successes, 10);
}

TEST(BugClassesTest, ThreeThreadLostUpdate) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); },
       [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 3; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  // One preemption loses one update (value 2) or, when the preempted thread read before both
  // others ran to the end, two (value 1); which of the two the shrinker settles on depends on
  // the search that found it.
  EXPECT_LT(result.counterexample->value, 3);
  EXPECT_EQ(result.preemptions, 1);
}

// --- Bank transfer: read the balance, compute, write it back ------------------------------

struct BankAccount {
  int balance = 100;
  void transfer(int amount) {
    int current = balance;
    int new_balance = current + amount;
    balance = new_balance;
  }
};

TEST(BugClassesTest, BankTransferLosesADeposit) {
  auto result = interlace::explore_interleavings(
      [] { return BankAccount{}; },
      {[](BankAccount &a) { a.transfer(50); }, [](BankAccount &a) { a.transfer(50); }},
      [](const BankAccount &a) { return a.balance == 200; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.counterexample->balance, 150);
  EXPECT_EQ(result.preemptions, 1);
}

// --- Check-then-act: lazy initialisation creates two instances ---------------------------

struct Registry {
  std::unique_ptr<int> instance;
  int creations = 0;
  int &get() {
    if (!instance) {
      ++creations;
      instance = std::make_unique<int>(42);
    }
    return *instance;
  }
};

TEST(BugClassesTest, CheckThenActLazyInitCreatesTwice) {
  auto result = interlace::explore_interleavings(
      [] { return Registry{}; }, {[](Registry &r) { r.get(); }, [](Registry &r) { r.get(); }},
      [](const Registry &r) { return r.creations == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.counterexample->creations, 2);
  EXPECT_EQ(result.preemptions, 1);
}

// --- Order violation: a use that can run before the initialisation ------------------------

struct Config {
  int port = 0;
  int used_port = -1;
};

TEST(BugClassesTest, OrderViolationReadsBeforeInit) {
  auto result = interlace::explore_interleavings(
      [] { return Config{}; },
      {[](Config &c) { c.port = 8080; }, [](Config &c) { c.used_port = c.port; }},
      [](const Config &c) { return c.used_port == 8080; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.counterexample->used_port, 0);
  EXPECT_EQ(result.preemptions, 0); // no preemption needed: thread 1 simply runs first
}

// --- Atomicity violation across two critical sections -------------------------------------

struct Wallet {
  std::mutex mutex;
  int balance = 100;
  int read() {
    std::lock_guard<std::mutex> lock(mutex);
    return balance;
  }
  void write(int value) {
    std::lock_guard<std::mutex> lock(mutex);
    balance = value;
  }
  void spend(int amount) { write(read() - amount); }
};

TEST(BugClassesTest, AtomicityViolationAcrossTwoCriticalSections) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Wallet>(); },
      {[](Wallet &w) { w.spend(10); }, [](Wallet &w) { w.spend(20); }},
      [](const Wallet &w) { return w.balance == 70; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_TRUE(result.counterexample->balance == 80 || result.counterexample->balance == 90)
      << result.counterexample->balance;
  EXPECT_EQ(result.preemptions, 1);
}

// --- Lost wakeup: the flag is set and the notification sent without the mutex -------------

struct Handshake {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  bool done = false;

  void wait_until_ready() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!ready) {
      cv.wait(lock);
    }
    done = true;
  }
  void signal_unlocked() {
    ready = true;
    cv.notify_one();
  }
  void signal_locked() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ready = true;
    }
    cv.notify_one();
  }
};

TEST(BugClassesTest, LostWakeupIsADeadlockOnTheCondvar) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Handshake>(); },
      {[](Handshake &h) { h.wait_until_ready(); }, [](Handshake &h) { h.signal_unlocked(); }},
      [](const Handshake &h) { return h.done; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_NE(result.explanation.find("Deadlock after"), std::string::npos) << result.explanation;
  EXPECT_NE(result.explanation.find("thread 0 waits for condvar"), std::string::npos)
      << result.explanation;
  EXPECT_EQ(result.preemptions, 1); // preempted between checking the flag and waiting
  EXPECT_EQ(result.reproduction_successes, 10);
}

TEST(BugClassesTest, HandshakeUnderTheMutexHoldsOver1000Schedules) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Handshake>(); },
      {[](Handshake &h) { h.wait_until_ready(); }, [](Handshake &h) { h.signal_locked(); }},
      [](const Handshake &h) { return h.done; }, {.max_attempts = 1000, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_EQ(result.num_explored, 1000);
}

// --- No false positives ------------------------------------------------------------------

struct LockedCounter {
  std::mutex mutex;
  int value = 0;
  void increment() {
    std::lock_guard<std::mutex> lock(mutex);
    int temp = value;
    value = temp + 1;
  }
};

TEST(BugClassesTest, LockedCounterHoldsOver1000Schedules) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<LockedCounter>(); },
      {[](LockedCounter &c) { c.increment(); }, [](LockedCounter &c) { c.increment(); },
       [](LockedCounter &c) { c.increment(); }},
      [](const LockedCounter &c) { return c.value == 3; }, {.max_attempts = 1000, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_EQ(result.num_explored, 1000);
}

struct AtomicCounter {
  std::atomic<int> value{0};
};

TEST(BugClassesTest, AtomicCounterHoldsOver1000Schedules) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<AtomicCounter>(); },
                                       {[](AtomicCounter &c) { c.value.fetch_add(1); },
                                        [](AtomicCounter &c) { c.value.fetch_add(1); },
                                        [](AtomicCounter &c) { c.value.fetch_add(1); }},
                                       [](const AtomicCounter &c) { return c.value.load() == 3; },
                                       {.max_attempts = 1000, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_EQ(result.num_explored, 1000);
}

} // namespace
