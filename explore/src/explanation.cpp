#include "explanation.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "source_text.hpp"

namespace interlace::detail {
namespace {

constexpr std::size_t kMaxTraceLines = 40;
constexpr std::size_t kMaxSourceWidth = 48;

std::string plural(int count, const char *word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

const char *title(Verdict verdict) {
  switch (verdict) {
  case Verdict::InvariantViolated:
    return "Race found";
  case Verdict::Exception:
    return "Exception";
  case Verdict::Deadlock:
    return "Deadlock";
  case Verdict::Livelock:
    return "Livelock";
  case Verdict::Timeout:
    return "Timeout";
  case Verdict::Holds:
  case Verdict::Stopped:
    break;
  }
  return "No failure";
}

struct TraceLine {
  int thread;
  const interlace_site *site;
  std::vector<const char *> accesses;
};

// Locations that two threads touched with at least one write.
std::set<const void *> conflicting_addresses(std::span<const rt::StepRecord> trace) {
  struct Use {
    std::set<int> threads;
    bool written = false;
  };
  std::map<const void *, Use> uses;
  for (const rt::StepRecord &step : trace) {
    if (rt::is_memory_access(step.event.kind)) {
      Use &use = uses[step.event.addr];
      use.threads.insert(step.thread);
      use.written = use.written || rt::is_write(step.event.kind);
    }
  }
  std::set<const void *> result;
  for (const auto &[address, use] : uses) {
    if (use.threads.size() >= 2 && use.written) {
      result.insert(address);
    }
  }
  return result;
}

std::vector<TraceLine> group(std::span<const rt::StepRecord> trace) {
  const std::set<const void *> conflicting = conflicting_addresses(trace);
  auto shown = [&](const rt::StepRecord &step) {
    if (step.event.site == nullptr) {
      return false;
    }
    return conflicting.empty() ||
           (rt::is_memory_access(step.event.kind) && conflicting.count(step.event.addr) != 0);
  };
  std::vector<TraceLine> lines;
  for (const rt::StepRecord &step : trace) {
    if (!shown(step)) {
      continue;
    }
    const interlace_site *site = step.event.site;
    if (!lines.empty() && lines.back().thread == step.thread &&
        lines.back().site->line == site->line &&
        std::string_view(lines.back().site->file) == site->file) {
      auto &accesses = lines.back().accesses;
      const char *access = rt::to_string(step.event.kind);
      if (std::ranges::find(accesses, access) == accesses.end()) {
        accesses.push_back(access);
      }
      continue;
    }
    lines.push_back(TraceLine{step.thread, site, {rt::to_string(step.event.kind)}});
  }
  return lines;
}

} // namespace

std::string render_trace(std::span<const rt::StepRecord> trace) {
  const std::vector<TraceLine> lines = group(trace);
  std::size_t location_width = 0;
  std::size_t source_width = 0;
  std::vector<std::string> locations;
  std::vector<std::string> sources;
  for (const TraceLine &line : lines) {
    locations.push_back(short_location(*line.site));
    std::string source = source_line(*line.site);
    if (source.size() > kMaxSourceWidth) {
      source = source.substr(0, kMaxSourceWidth - 3) + "...";
    }
    sources.push_back(source);
    location_width = std::max(location_width, locations.back().size());
    source_width = std::max(source_width, sources.back().size());
  }
  std::string text;
  const std::size_t head = kMaxTraceLines / 2;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines.size() > kMaxTraceLines && i == head) {
      const std::size_t skipped = lines.size() - kMaxTraceLines;
      text += "  ... " + std::to_string(skipped) + " lines elided ...\n";
      i += skipped - 1;
      continue;
    }
    std::string accesses;
    for (const char *access : lines[i].accesses) {
      accesses += (accesses.empty() ? "" : ", ") + std::string(access);
    }
    std::string row = "  thread " + std::to_string(lines[i].thread) + " | " + locations[i];
    row.append(location_width - locations[i].size() + 3, ' ');
    row += sources[i];
    row.append(source_width - sources[i].size() + 3, ' ');
    row += accesses;
    text += row + "\n";
  }
  return text;
}

std::string explain(const ExplanationInput &input) {
  std::string text;
  const std::string seed = "seed " + std::to_string(input.seed);
  if (input.failure == nullptr) {
    text += "No failure in " + plural(input.num_explored, "schedule") + " (" + seed + "); " +
            plural(input.unique_interleavings, "distinct interleaving") + ".\n";
    if (input.stopped_by_timeout) {
      text += "  The exploration stopped at its timeout after " +
              std::to_string(input.num_explored) + " of " + std::to_string(input.max_attempts) +
              " schedules.\n";
    }
    if (!input.saw_yield_points) {
      text += "  Warning: no schedule reached a yield point, so the threads always ran one after "
              "the other. Compile the code under test with interlace_instrument(<target>) (or "
              "-fpass-plugin=libInterlacePass.so -g).\n";
    }
    return text;
  }

  const FailureRecord &failure = *input.failure;
  if (input.from_replay_token) {
    text += std::string(title(failure.verdict)) + " replayed from INTERLACE_REPLAY, " +
            plural(failure.preemptions, "preemption") + ".\n";
  } else {
    text += std::string(title(failure.verdict)) + " after " +
            plural(input.num_explored, "schedule") + " (" + seed + "), " +
            (input.shrunk && failure.verdict != Verdict::Timeout ? "shrunk to " : "not shrunk, ") +
            plural(failure.preemptions, "preemption") + ".\n";
  }
  if (failure.verdict == Verdict::InvariantViolated) {
    text += "  The invariant does not hold after this interleaving:\n";
  } else {
    text += "  " + failure.outcome.message + "\n" + failure.outcome.details;
  }
  text += "\n" + render_trace(failure.trace) + "\n";
  if (failure.verdict == Verdict::Timeout) {
    text += "  not shrunk or replayed: each run would leave another stuck thread behind\n";
  } else {
    text += "  reproduced " + std::to_string(input.reproduction_successes) + "/" +
            std::to_string(input.reproduction_attempts) + " times\n";
  }
  if (input.reproduction_successes < input.reproduction_attempts) {
    text += "  Replays of this schedule did not always fail the same way: the code under test "
            "depends on something interlace does not control (time, randomness, uninstrumented "
            "code).\n";
  }
  text += "  replay: INTERLACE_REPLAY=" + input.replay_token + " " + input.rerun_command + "\n";
  return text;
}

} // namespace interlace::detail
