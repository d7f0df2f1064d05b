// Boost.Lockfree (Debian libboost-dev): header code on std::atomic / boost::atomic,
// instrumented with the test.
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <boost/lockfree/stack.hpp>

#include <algorithm>
#include <memory>
#include <vector>

#include "golden.hpp"

namespace {

using thirdparty::expect_golden;
using thirdparty::kCorrectUseSchedules;
using thirdparty::kSeed;

template <class Container> std::vector<int> drain(Container &container) {
  std::vector<int> items;
  int item = 0;
  while (container.pop(item)) {
    items.push_back(item);
  }
  std::ranges::sort(items);
  return items;
}

// The invariants drain the containers to read them, hence `mutable`.
struct Queue {
  mutable boost::lockfree::queue<int> queue{8};
  int pushed = 0; // beside the queue, unprotected in the racy uses
};

TEST(BoostLockfreeTest, QueuePushedFromTwoThreadsLosesNothing) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Queue>(); },
      {[](Queue &q) {
         q.queue.push(1);
         q.queue.push(2);
       },
       [](Queue &q) { q.queue.push(3); }},
      [](const Queue &q) { return drain(q.queue) == std::vector<int>{1, 2, 3}; },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(BoostLockfreeTest, StackPushAndPopTakeEachItemOnce) {
  struct Stack {
    mutable boost::lockfree::stack<int> stack{8};
    int popped = 0;
  };
  auto result = interlace::explore_interleavings(
      [] {
        auto s = std::make_unique<Stack>();
        s->stack.push(1);
        return s;
      },
      {[](Stack &s) { s.stack.push(2); },
       [](Stack &s) {
         int item = 0;
         if (s.stack.pop(item)) {
           s.popped = item;
         }
       }},
      [](const Stack &s) {
        std::vector<int> left = drain(s.stack);
        left.push_back(s.popped);
        std::ranges::sort(left);
        return left == std::vector<int>{1, 2};
      },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(BoostLockfreeTest, SpscQueueKeepsOrder) {
  struct Channel {
    mutable boost::lockfree::spsc_queue<int, boost::lockfree::capacity<4>> queue;
    std::vector<int> received;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Channel>(); },
                                       {[](Channel &c) {
                                          c.queue.push(1);
                                          c.queue.push(2);
                                        },
                                        [](Channel &c) {
                                          int item = 0;
                                          for (int i = 0; i < 2; ++i) {
                                            if (c.queue.pop(item)) {
                                              c.received.push_back(item);
                                            }
                                          }
                                        }},
                                       [](const Channel &c) {
                                         std::vector<int> all = c.received;
                                         int item = 0;
                                         while (c.queue.pop(item)) {
                                           all.push_back(item);
                                         }
                                         return all == std::vector<int>{1, 2};
                                       },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

// The user's race: "push only when the queue is empty" checks, then acts.
void push_if_empty(Queue &q, int item) {
  if (q.queue.empty()) {
    q.queue.push(item);
  }
}

TEST(BoostLockfreeTest, CheckThenActAroundTheQueueIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Queue>(); },
      {[](Queue &q) { push_if_empty(q, 1); }, [](Queue &q) { push_if_empty(q, 2); }},
      [](const Queue &q) { return drain(q.queue).size() == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("boost_lockfree_check_then_act", result.explanation);
}

TEST(BoostLockfreeTest, UnsynchronizedCounterBesideTheQueueIsFound) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Queue>(); },
                                                 {[](Queue &q) {
                                                    q.queue.push(1);
                                                    ++q.pushed;
                                                  },
                                                  [](Queue &q) {
                                                    q.queue.push(2);
                                                    ++q.pushed;
                                                  }},
                                                 [](const Queue &q) { return q.pushed == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("boost_lockfree_counter", result.explanation);
}

} // namespace
