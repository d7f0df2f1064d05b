#include "schedule_simplifier.hpp"

namespace interlace::detail {
namespace {

struct Run {
  int thread;
  std::size_t length;
};

std::vector<Run> runs_of(std::span<const int> schedule) {
  std::vector<Run> runs;
  for (int thread : schedule) {
    if (!runs.empty() && runs.back().thread == thread) {
      ++runs.back().length;
    } else {
      runs.push_back(Run{thread, 1});
    }
  }
  return runs;
}

std::vector<int> flatten(const std::vector<Run> &runs) {
  std::vector<int> schedule;
  for (const Run &run : runs) {
    schedule.insert(schedule.end(), run.length, run.thread);
  }
  return schedule;
}

} // namespace

std::vector<std::vector<int>> merge_candidates(std::span<const int> schedule) {
  const std::vector<Run> runs = runs_of(schedule);
  std::vector<std::vector<int>> candidates;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::size_t j = i + 1;
    while (j < runs.size() && runs[j].thread != runs[i].thread) {
      ++j;
    }
    if (j >= runs.size()) {
      continue;
    }
    // Move run j back to follow run i.
    std::vector<Run> back = runs;
    back[i].length += back[j].length;
    back.erase(back.begin() + static_cast<std::ptrdiff_t>(j));
    candidates.push_back(flatten(back));
    // Move run i forward to precede run j.
    std::vector<Run> forward = runs;
    forward[j].length += forward[i].length;
    forward.erase(forward.begin() + static_cast<std::ptrdiff_t>(i));
    candidates.push_back(flatten(forward));
  }
  return candidates;
}

} // namespace interlace::detail
