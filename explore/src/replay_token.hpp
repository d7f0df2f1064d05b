// Replay tokens: one schedule in a shell-safe string, tied to the build and the exploration
// that produced it.
//
//   il1-<build fingerprint, 16 hex>-<exploration key, 8 hex>-<threads>-<runs>
//
// where <runs> is the schedule run-length encoded as thread.count pairs joined by '_',
// e.g. 0.3_1.5_0.2 for 0 0 0 1 1 1 1 1 0 0, followed, when the execution chose a waiter other
// than the first, by -w and those choices as ordinal.index pairs joined by '_' (w3.1_5.2).
#pragma once

#include <cstdint>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "interlace/rt/strategy.hpp"

namespace interlace::detail {

// `count` steps of thread `thread` in a row.
struct ScheduleRun {
  int thread = 0;
  std::uint32_t count = 0;
  bool operator==(const ScheduleRun &) const = default;
};

// A token holds the schedule as its runs: their expansion is as long as the token says, so it
// is made only once the token is known to be for this exploration and short enough to run.
struct ReplayToken {
  std::uint64_t build = 0;       // rt::build_fingerprint() of the recording program
  std::uint32_t exploration = 0; // exploration_key() of the recording exploration
  int threads = 0;
  std::vector<ScheduleRun> runs;
  std::vector<rt::WakeChoice> wakes; // the waiter choices that were not the first
};

std::vector<ScheduleRun> runs_of(std::span<const int> schedule);
std::uint64_t total_steps(std::span<const ScheduleRun> runs);
std::vector<int> expand(std::span<const ScheduleRun> runs);

std::string encode(const ReplayToken &token);

// Parses a token; throws UsageError naming what is wrong with it (also a run of a thread id
// no execution can have).
ReplayToken decode(std::string_view text);

// Identifies an exploration within a program: its call site, its thread count, the running
// test (if a test runner says), and how many explorations with the same of those ran before
// it in this process (so that calls from one shared helper get different keys).
std::uint32_t exploration_key(const std::source_location &where, int threads,
                              const std::string &test);

} // namespace interlace::detail
