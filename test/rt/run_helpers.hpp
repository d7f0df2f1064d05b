// Helpers for runtime tests: run bodies under a seeded or replayed schedule.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/rt/replay_strategy.hpp"

namespace interlace::testing {

using Bodies = std::vector<std::function<void()>>;

inline rt::Outcome run_seeded(rt::Executor &executor, const Bodies &bodies, std::uint64_t seed,
                              rt::RunOptions options = {}, std::uint64_t max_ops = 300) {
  rt::SeededChoiceSource source(seed);
  rt::ChoiceStrategy strategy(source, max_ops);
  return executor.run(bodies, strategy, options);
}

inline rt::Outcome run_replay(rt::Executor &executor, const Bodies &bodies,
                              std::vector<int> schedule, rt::RunOptions options = {}) {
  rt::ReplayStrategy strategy(std::move(schedule));
  return executor.run(bodies, strategy, options);
}

// A field of /proc/self/status, e.g. "Threads" or "VmRSS", as a number.
inline long proc_status(const std::string &field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field + ":")) {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return -1;
}

} // namespace interlace::testing
