// TraceExecutor: runs named threads through a marker schedule on the runtime.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <span>

#include "exploration_lock.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/trace_markers.hpp"
#include "marker_index.hpp"
#include "thread_names.hpp"
#include "trace_strategy.hpp"

namespace interlace {
namespace {

std::vector<Step> non_empty(std::vector<Step> steps) {
  if (steps.empty()) {
    throw ScheduleError(
        "interlace::Schedule: a schedule needs at least one step, e.g. "
        "Schedule{{\"thread1\", \"read_balance\"}, {\"thread2\", \"read_balance\"}}");
  }
  return steps;
}

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names) {
    text += (text.empty() ? "" : ", ") + name;
  }
  return text.empty() ? "none" : text;
}

// When the step that failed names a marker that is nowhere in the program (as far as the code
// the threads ran shows), that is the cause to report, not where the thread waited instead.
std::string missing_marker(const detail::TraceStrategy &strategy,
                           std::span<const rt::StepRecord> trace) {
  const std::optional<std::size_t> index = strategy.missed_marker_step();
  if (!index) {
    return {};
  }
  const std::string &marker = strategy.step(*index).marker;
  const detail::KnownMarkers known = detail::known_markers(trace);
  if (known.names.contains(marker)) {
    return {};
  }
  std::vector<std::string> files(known.files.begin(), known.files.end());
  std::vector<std::string> names(known.names.begin(), known.names.end());
  std::string text = strategy.describe_step(*index) + ": there is no marker '" + marker +
                     "' in the program: no thread reached one, and no `// interlace: " + marker +
                     "` comment or INTERLACE_MARKER(" + marker +
                     ") is in the source files the threads ran (" + joined(files) +
                     "). The markers there are " + joined(names) + ".";
  if (const std::string closest = detail::closest_marker(marker, known.names); !closest.empty()) {
    text += " Did you mean '" + closest + "'?";
  }
  return text;
}

} // namespace

Schedule::Schedule(std::initializer_list<Step> steps) : steps_(non_empty(steps)) {}

Schedule::Schedule(std::vector<Step> steps) : steps_(non_empty(std::move(steps))) {}

TraceExecutor::TraceExecutor(Schedule schedule) : schedule_(std::move(schedule)) {}

TraceExecutor::~TraceExecutor() = default;

void TraceExecutor::run(std::string thread_name, std::function<void()> body) {
  if (waited_) {
    throw ScheduleError("TraceExecutor::run('" + thread_name +
                        "') after wait(): a TraceExecutor runs its schedule once; make a new one");
  }
  if (std::ranges::find(names_, thread_name) != names_.end()) {
    throw ScheduleError("TraceExecutor::run: a thread named '" + thread_name +
                        "' was already run; give every thread its own name");
  }
  if (!body) {
    throw ScheduleError("TraceExecutor::run('" + thread_name + "'): the body is empty");
  }
  names_.push_back(std::move(thread_name));
  bodies_.push_back(std::move(body));
}

void TraceExecutor::wait(std::chrono::milliseconds timeout) {
  if (waited_) {
    throw ScheduleError("TraceExecutor::wait: already waited; a TraceExecutor runs once");
  }
  waited_ = true;
  detail::run_trace_schedule(schedule_, names_, bodies_, timeout, "thread");
}

namespace detail {

void run_trace_schedule(const Schedule &schedule, const std::vector<std::string> &names,
                        const std::vector<std::function<void()>> &bodies,
                        std::chrono::milliseconds timeout, const char *noun) {
  if (rt::in_managed_thread()) {
    throw UsageError(std::string("a trace schedule of ") + noun +
                     "s was run from a managed thread; nested executions are not supported");
  }
  const std::vector<Step> &steps = schedule.steps();
  std::vector<detail::TraceStep> resolved;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto found = std::ranges::find(names, steps[i].thread);
    if (found == names.end()) {
      throw ScheduleError("step " + std::to_string(i + 1) + " of " + std::to_string(steps.size()) +
                          " (" + steps[i].thread + ", " + steps[i].marker + "): no " + noun +
                          " named '" + steps[i].thread + "' was run; the " + noun + "s are " +
                          joined(names));
    }
    resolved.push_back({static_cast<int>(found - names.begin()), steps[i].marker});
  }

  detail::TraceStrategy strategy(std::move(resolved), names);
  rt::RunOptions options;
  options.max_steps = UINT64_MAX; // work between markers may be long: the timeout bounds it
  options.deadline = std::chrono::steady_clock::now() + timeout;
  options.stall_timeout = timeout;
  options.thread_names = names;
  rt::Executor executor;
  const rt::Outcome outcome = executor.run(bodies, strategy, options);

  const std::string details = detail::with_thread_names(outcome.details, names);
  switch (outcome.failure) {
  case rt::FailureKind::None:
    if (const std::string unfinished = strategy.unfinished(); !unfinished.empty()) {
      const std::string missing = missing_marker(strategy, executor.trace());
      throw ScheduleError(missing.empty() ? unfinished : missing);
    }
    return;
  case rt::FailureKind::Exception:
    if (outcome.exception) {
      std::rethrow_exception(outcome.exception);
    }
    throw ScheduleError(strategy.current_step() + ": " +
                        detail::with_thread_names(outcome.message, names) + "\n" + details);
  case rt::FailureKind::Stopped:
    if (strategy.stopped()) {
      const std::string missing = missing_marker(strategy, executor.trace());
      throw ScheduleError((missing.empty() ? strategy.stop_reason() : missing) + "\n" + details);
    }
    throw ScheduleError("timeout after " + std::to_string(timeout.count()) + " ms at " +
                        strategy.current_step() + "; where every thread stands:\n" + details);
  case rt::FailureKind::StrategyError:
  case rt::FailureKind::Discarded: // an interlace_assume() that did not hold: the schedule's fault
  case rt::FailureKind::Deadlock:
  case rt::FailureKind::Livelock:
  case rt::FailureKind::Timeout:
  case rt::FailureKind::Crash:
  case rt::FailureKind::Exit:
    break;
  }
  throw ScheduleError(strategy.current_step() + ": " +
                      detail::with_thread_names(outcome.message, names) + "\n" + details);
}

} // namespace detail

} // namespace interlace
