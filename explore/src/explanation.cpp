#include "explanation.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "classification.hpp"
#include "source_text.hpp"
#include "thread_names.hpp"

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
  case Verdict::AssertionFailed:
    return "Assertion failed";
  case Verdict::Exception:
    return "Exception";
  case Verdict::Deadlock:
    return "Deadlock";
  case Verdict::Livelock:
    return "Livelock";
  case Verdict::Timeout:
    return "Timeout";
  case Verdict::Crash:
    return "Crash";
  case Verdict::Exit:
    return "Exit";
  case Verdict::Holds:
  case Verdict::Stopped:
  case Verdict::StrategyError:
  case Verdict::Discarded:
    break;
  }
  return "No failure";
}

// Distinct items in order of first appearance, comma-separated (a set: a line can make many
// accesses, e.g. a loop over an array).
class DistinctList {
public:
  void add(const std::string &item) {
    if (seen_.insert(item).second) {
      text_ += (text_.empty() ? "" : ", ") + item;
    }
  }
  const std::string &text() const { return text_; }

private:
  std::unordered_set<std::string> seen_;
  std::string text_;
};

// "read 4, write 4": the distinct accesses of a line.
std::string accesses(const TraceLine &line) {
  DistinctList items;
  for (const TraceAccess &access : line.accesses) {
    items.add(std::string(rt::to_string(access.kind)) + " " + std::to_string(access.size));
  }
  return items.text().empty() ? line.event : items.text();
}

std::string objects(const TraceLine &line) {
  DistinctList items;
  for (const TraceAccess &access : line.accesses) {
    items.add(access.object);
  }
  return items.text();
}

void pad_to(std::string &text, std::size_t width) {
  text.append(width > text.size() ? width - text.size() : 0, ' ');
}

} // namespace

MemoryContext memory_of(const FailureRecord &failure) {
  return MemoryContext{failure.state, failure.state_size, failure.allocations,
                       known_names(failure.trace)};
}

std::string render_trace(const TraceModel &model, std::span<const std::string> thread_names) {
  struct Row {
    std::string number, thread, location, source, access, object;
  };
  std::vector<Row> rows;
  for (const TraceLine &line : model.lines) {
    Row row;
    row.number = std::to_string(line.number);
    row.thread = thread_label(line.thread, thread_names);
    row.location = line.site != nullptr ? short_location(*line.site) : std::string("-");
    row.source = line.site != nullptr ? source_line(*line.site) : "";
    if (row.source.size() > kMaxSourceWidth) {
      row.source = row.source.substr(0, kMaxSourceWidth - 3) + "...";
    }
    row.access = accesses(line);
    row.object = objects(line);
    rows.push_back(std::move(row));
  }
  std::size_t widths[5] = {0, 0, 0, 0, 0};
  for (const Row &row : rows) {
    widths[0] = std::max(widths[0], row.number.size());
    widths[1] = std::max(widths[1], row.thread.size());
    widths[2] = std::max(widths[2], row.location.size());
    widths[3] = std::max(widths[3], row.source.size());
    widths[4] = std::max(widths[4], row.access.size());
  }
  std::string text;
  const std::size_t head = kMaxTraceLines / 2;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows.size() > kMaxTraceLines && i == head) {
      const std::size_t skipped = rows.size() - kMaxTraceLines;
      text += "  ... " + std::to_string(skipped) + " lines elided ...\n";
      i += skipped - 1;
      continue;
    }
    const Row &row = rows[i];
    std::string out = "  ";
    out.append(widths[0] - row.number.size(), ' ');
    out += row.number + "  " + row.thread;
    pad_to(out, 2 + widths[0] + 2 + widths[1]);
    out += " | " + row.location;
    pad_to(out, 2 + widths[0] + 2 + widths[1] + 3 + widths[2] + 3);
    out += row.source;
    pad_to(out, 2 + widths[0] + 2 + widths[1] + 3 + widths[2] + 3 + widths[3] + 3);
    out += row.access;
    if (!row.object.empty()) {
      pad_to(out,
             2 + widths[0] + 2 + widths[1] + 3 + widths[2] + 3 + widths[3] + 3 + widths[4] + 2);
      out += row.object;
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    text += out + "\n";
  }
  return text;
}

std::string explain(const ExplanationInput &input) {
  std::string text;
  const std::string seed = "seed " + std::to_string(input.seed) +
                           (input.search.empty() ? "" : ", search " + input.search);
  if (input.failure == nullptr) {
    const std::string discarded = input.num_discarded > 0
                                      ? "; " + plural(input.num_discarded, "schedule") +
                                            " discarded (an assumption did not hold, or redundant)"
                                      : std::string();
    if (input.exhaustive) {
      text += "No failure: holds for all " +
              plural(input.num_explored - input.num_discarded, "interleaving") + " (exhaustive" +
              (input.bound.empty() ? "" : " with " + input.bound) + "; " + seed + ")" + discarded +
              ".\n";
      return text;
    }
    text += "No failure in " + plural(input.num_explored, "schedule") + " (sampled, not " +
            "exhaustive; " + seed + "); " +
            plural(input.unique_interleavings, "distinct interleaving") + discarded + ".\n";
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
  const MemoryContext memory = memory_of(failure);
  const std::vector<rt::StepRecord> trace = in_user_code(failure.trace);
  const bool timeout = failure.verdict == Verdict::Timeout;
  if (input.from_replay_token) {
    text += std::string(title(failure.verdict)) + " replayed from INTERLACE_REPLAY, " +
            plural(failure.preemptions, "preemption") + ".\n";
  } else {
    text += std::string(title(failure.verdict)) + " after " +
            plural(input.num_explored, "schedule") + " (" + seed + "), " +
            (input.shrunk && !timeout ? "shrunk to " : "not shrunk, ") +
            plural(failure.preemptions, "preemption") + ".\n";
  }
  if (!input.from_replay_token && !input.shrink_stop.empty()) {
    text += "  shrinking stopped after " + plural(input.shrink_attempts, "attempt") + " (" +
            input.shrink_stop + "); the schedule may not be minimal.\n";
  }
  if (failure.verdict == Verdict::InvariantViolated) {
    text += "  The invariant does not hold after this interleaving.\n";
    text += "  " + classify(trace, memory).sentence + "\n";
  } else if (failure.verdict == Verdict::AssertionFailed) {
    std::string assertion = failure.assertion;
    for (std::size_t at = assertion.find('\n'); at != std::string::npos;
         at = assertion.find('\n', at + 1)) {
      assertion.insert(at + 1, "    ");
    }
    text += "  " + assertion + "\n";
    if (const Classification race = classify(trace, memory); race.kind != RaceKind::None) {
      text += "  " + race.sentence + "\n";
    }
  } else {
    text += "  " + failure.outcome.message + "\n" + failure.outcome.details;
  }
  if (failure.verdict == Verdict::Livelock) {
    // Long legitimate executions end here too: say which knob raises the cap.
    text += "  The execution reached the step cap of " + std::to_string(input.max_steps) +
            " steps (ExploreOptions::max_steps) without finishing. If the threads legitimately "
            "take that many steps, raise it, e.g. {.max_steps = " +
            std::to_string(static_cast<long long>(input.max_steps) * 10) + "}.\n";
  }
  const TraceModel model = build_trace(trace, memory, input.verbose);
  if (!model.lines.empty()) {
    text += "\n" + render_trace(model, input.thread_names);
  }
  if (model.filtered) {
    text += "  (accesses to locations two threads touched, one writing; INTERLACE_VERBOSE=1 "
            "shows every step)\n";
  }
  text += "\n";
  if (timeout) {
    text += "  not shrunk or replayed: each run would leave another stuck thread behind\n";
  } else {
    text += "  reproduced " + std::to_string(input.reproduction_successes) + "/" +
            std::to_string(input.reproduction_attempts) + " times\n";
  }
  if (input.reproduction_successes < input.reproduction_attempts) {
    text += "  Replays of this schedule did not always fail the same way: the code under test "
            "depends on something interlace does not control (time, randomness, uninstrumented "
            "code).\n";
    if (!input.divergence.empty()) {
      text += "  " + input.divergence + "\n";
    }
  }
  text += "  replay: INTERLACE_REPLAY=" + input.replay_token + " " + input.rerun_command + "\n";
  if (!input.trace_file.empty()) {
    text += "  trace: " + input.trace_file + "\n";
  }
  return text;
}

} // namespace interlace::detail
