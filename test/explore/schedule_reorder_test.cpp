// The equivalent schedule with the fewest switches, on hand-made traces.
#include <gtest/gtest.h>

#include <vector>

#include "schedule_reorder.hpp"

namespace interlace::detail {
namespace {

int g_own[2];
int g_shared;
int g_lock;

rt::StepRecord step(int thread, rt::EventKind kind, const void *addr) {
  rt::StepRecord record;
  record.thread = thread;
  record.event.kind = kind;
  record.event.size = 4;
  record.event.addr = addr;
  return record;
}

TEST(ScheduleReorderTest, IndependentPrefixesRunWithoutSwitchesAndConflictsKeepTheirOrder) {
  using K = rt::EventKind;
  // Two threads alternate over their own data, then both read the shared counter before
  // either writes it back: the lost update.
  const std::vector<rt::StepRecord> trace = {
      step(0, K::Start, nullptr),   step(1, K::Start, nullptr),   step(0, K::Write, &g_own[0]),
      step(1, K::Write, &g_own[1]), step(0, K::Write, &g_own[0]), step(1, K::Write, &g_own[1]),
      step(0, K::Read, &g_shared),  step(1, K::Read, &g_shared),  step(1, K::Write, &g_shared),
      step(0, K::Write, &g_shared)};
  // Thread 0 runs up to its read; thread 1's read must come before thread 0's write, and its
  // write after thread 0's read: one switch to thread 1 and one back.
  EXPECT_EQ(reorder_by_thread(trace), (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 1, 0}));
}

TEST(ScheduleReorderTest, StepsOnTheSameLockKeepTheirOrder) {
  using K = rt::EventKind;
  const std::vector<rt::StepRecord> trace = {
      step(0, K::Lock, &g_lock), step(1, K::Write, &g_own[1]), step(0, K::Unlock, &g_lock),
      step(1, K::Lock, &g_lock), step(0, K::Write, &g_own[0]), step(1, K::Unlock, &g_lock)};
  EXPECT_EQ(reorder_by_thread(trace), (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(ScheduleReorderTest, ASpawnOrdersEveryStepAroundIt) {
  using K = rt::EventKind;
  const std::vector<rt::StepRecord> trace = {
      step(0, K::Write, &g_own[0]), step(1, K::Write, &g_own[1]), step(0, K::Spawn, nullptr),
      step(1, K::Write, &g_own[1]), step(0, K::Write, &g_own[0])};
  // Thread 1's first write must stay before the spawn, its second after it.
  EXPECT_EQ(reorder_by_thread(trace), (std::vector<int>{0, 1, 0, 0, 1}));
}

} // namespace
} // namespace interlace::detail
