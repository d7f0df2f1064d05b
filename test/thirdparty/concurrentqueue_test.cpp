// moodycamel::ConcurrentQueue and BlockingConcurrentQueue (Debian libconcurrentqueue-dev): header
// code, instrumented with the test; the blocking queue waits on a POSIX semaphore (intercepted).
#include <gtest/gtest.h>
#include <interlace/interlace.hpp>

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "golden.hpp"

namespace {

using thirdparty::expect_golden;
using thirdparty::kCorrectUseSchedules;
using thirdparty::kSeed;

// The invariants drain the queues to read them, hence `mutable`.
struct Jobs {
  mutable moodycamel::ConcurrentQueue<int> queue;
  int enqueued = 0; // beside the queue, unprotected in the racy uses
};

std::vector<int> drain(moodycamel::ConcurrentQueue<int> &queue) {
  std::vector<int> items;
  int item = 0;
  while (queue.try_dequeue(item)) {
    items.push_back(item);
  }
  return items;
}

TEST(ConcurrentQueueTest, TwoProducersLoseNothing) {
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Jobs>(); },
                                       {[](Jobs &j) {
                                          j.queue.enqueue(1);
                                          j.queue.enqueue(2);
                                        },
                                        [](Jobs &j) {
                                          j.queue.enqueue(10);
                                          j.queue.enqueue(20);
                                        }},
                                       [](const Jobs &j) {
                                         std::vector<int> items = drain(j.queue);
                                         std::ranges::sort(items);
                                         return items == std::vector<int>{1, 2, 10, 20};
                                       },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(ConcurrentQueueTest, AConsumerTakesEachItemOnce) {
  struct Handoff {
    mutable moodycamel::ConcurrentQueue<int> queue;
    int taken = 0;
  };
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Handoff>(); },
      {[](Handoff &h) {
         h.queue.enqueue(1);
         h.queue.enqueue(2);
       },
       [](Handoff &h) {
         int item = 0;
         if (h.queue.try_dequeue(item)) {
           h.taken = item;
         }
       }},
      [](const Handoff &h) {
        std::vector<int> left = drain(h.queue);
        return h.taken == 0 ? left.size() == 2 : h.taken == 1 && left == std::vector<int>{2};
      },
      {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

TEST(ConcurrentQueueTest, BlockingDequeueWaitsForTheProducer) {
  struct Pipe {
    moodycamel::BlockingConcurrentQueue<int> queue;
    int received = 0;
  };
  auto result =
      interlace::explore_interleavings([] { return std::make_unique<Pipe>(); },
                                       {[](Pipe &p) { p.queue.enqueue(42); },
                                        [](Pipe &p) {
                                          int item = 0;
                                          p.queue.wait_dequeue(item);
                                          p.received = item;
                                        }},
                                       [](const Pipe &p) { return p.received == 42; },
                                       {.max_attempts = kCorrectUseSchedules, .seed = kSeed});
  EXPECT_INTERLEAVINGS_HOLD(result);
}

// The user's race: "enqueue only when the queue is empty" checks, then acts.
void enqueue_if_idle(Jobs &jobs, int job) {
  if (jobs.queue.size_approx() == 0) {
    jobs.queue.enqueue(job);
  }
}

TEST(ConcurrentQueueTest, CheckThenActAroundTheQueueIsFound) {
  auto result = interlace::explore_interleavings(
      [] { return std::make_unique<Jobs>(); },
      {[](Jobs &j) { enqueue_if_idle(j, 1); }, [](Jobs &j) { enqueue_if_idle(j, 2); }},
      [](const Jobs &j) { return j.queue.size_approx() == 1; }, {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("concurrentqueue_check_then_act", result.explanation);
}

TEST(ConcurrentQueueTest, UnsynchronizedCounterBesideTheQueueIsFound) {
  auto result = interlace::explore_interleavings([] { return std::make_unique<Jobs>(); },
                                                 {[](Jobs &j) {
                                                    j.queue.enqueue(1);
                                                    ++j.enqueued;
                                                  },
                                                  [](Jobs &j) {
                                                    j.queue.enqueue(2);
                                                    ++j.enqueued;
                                                  }},
                                                 [](const Jobs &j) { return j.enqueued == 2; },
                                                 {.seed = kSeed});
  ASSERT_FALSE(result.property_holds);
  EXPECT_EQ(result.reproduction_successes, result.reproduction_attempts);
  expect_golden("concurrentqueue_counter", result.explanation);
}

} // namespace
