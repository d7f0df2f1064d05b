// Bugs a user finds with interlace, written against the public API only.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <atomic>
#include <memory>
#include <mutex>

namespace {

struct Counter {
  int value = 0;
  void increment() {
    int seen = value;
    value = seen + 1;
  }
};

TEST(ConsumerTest, FindsALostUpdate) {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, {.seed = 1});
  EXPECT_RACE_FOUND(result);
  EXPECT_EQ(result.counterexample->value, 1);
  EXPECT_EQ(result.preemptions, 1);
}

struct Cache {
  std::unique_ptr<int> entry;
  int loads = 0;
  int get() {
    if (!entry) { // check ...
      ++loads;
      entry = std::make_unique<int>(7); // ... then act
    }
    return *entry;
  }
};

TEST(ConsumerTest, FindsACheckThenAct) {
  auto result = interlace::explore_interleavings(
      [] { return Cache{}; }, {[](Cache &c) { c.get(); }, [](Cache &c) { c.get(); }},
      [](const Cache &c) { return c.loads == 1; }, {.seed = 1});
  EXPECT_RACE_FOUND(result);
  EXPECT_EQ(result.counterexample->loads, 2);
}

struct Inventory {
  std::mutex mutex;
  int stock = 10;
  int available() {
    std::lock_guard<std::mutex> lock(mutex);
    return stock;
  }
  void set(int value) {
    std::lock_guard<std::mutex> lock(mutex);
    stock = value;
  }
  void take(int n) {
    const int now = available(); // first critical section
    set(now - n);                // second one: another thread may have run in between
  }
};

TEST(ConsumerTest, FindsAnAtomicityViolationAcrossTwoCriticalSections) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Inventory>(); },
      {[](Inventory &i) { i.take(3); }, [](Inventory &i) { i.take(4); }},
      [](const Inventory &i) { return i.stock == 3; }, {.seed = 1});
  EXPECT_RACE_FOUND(result);
  EXPECT_NE(result.counterexample->stock, 3);
  EXPECT_EQ(result.preemptions, 1);
}

struct AtomicCounter {
  std::atomic<int> value{0};
};

TEST(ConsumerTest, AnAtomicCounterHoldsOver1000Schedules) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<AtomicCounter>(); },
      {[](AtomicCounter &c) { c.value++; }, [](AtomicCounter &c) { c.value++; }},
      [](const AtomicCounter &c) { return c.value == 2; }, {.max_attempts = 1000, .seed = 1});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_EQ(result.num_explored, 1000);
}

struct MutexCounter {
  std::mutex mutex;
  int value = 0;
  void increment() {
    std::lock_guard<std::mutex> lock(mutex);
    ++value;
  }
};

TEST(ConsumerTest, AMutexCounterHoldsOver1000Schedules) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<MutexCounter>(); },
      {[](MutexCounter &c) { c.increment(); }, [](MutexCounter &c) { c.increment(); }},
      [](const MutexCounter &c) { return c.value == 2; }, {.max_attempts = 1000, .seed = 1});
  EXPECT_INTERLEAVINGS_HOLD(result);
  EXPECT_EQ(result.num_explored, 1000);
}

} // namespace
