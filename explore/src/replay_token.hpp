// Replay tokens: one schedule in a shell-safe string, tied to the build and the exploration
// that produced it.
//
//   il1-<build fingerprint, 16 hex>-<exploration key, 8 hex>-<threads>-<runs>
//
// where <runs> is the schedule run-length encoded as thread.count pairs joined by '_',
// e.g. 0.3_1.5_0.2 for 0 0 0 1 1 1 1 1 0 0.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace interlace::detail {

struct ReplayToken {
  std::uint64_t build = 0;       // rt::build_fingerprint() of the recording program
  std::uint32_t exploration = 0; // exploration_key() of the recording exploration
  int threads = 0;
  std::vector<int> schedule;
};

std::string encode(const ReplayToken &token);

// Parses a token; throws UsageError naming what is wrong with it.
ReplayToken decode(std::string_view text);

// Identifies an exploration within a program: its call site, its thread count, the running
// test (if a test runner says), and how many explorations with the same of those ran before
// it in this process (so that calls from one shared helper get different keys).
std::uint32_t exploration_key(const std::source_location &where, int threads,
                              const std::string &test);

} // namespace interlace::detail
