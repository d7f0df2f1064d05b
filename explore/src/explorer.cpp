// The exploration core behind explore_interleavings: a search (searches/) hands out the
// strategy of each execution, the runtime executes it, the invariant judges it; a failure is
// shrunk to the fewest preemptions, replayed and explained.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <unordered_set>
#include <vector>

#include "assertions.hpp"
#include "command_line.hpp"
#include "cooperative_strategy.hpp"
#include "environment.hpp"
#include "explanation.hpp"
#include "exploration_lock.hpp"
#include "failure_shrinker.hpp"
#include "interlace/explore.hpp"
#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/rt/replay_strategy.hpp"
#include "interlace/rt/sites.hpp"
#include "replay_token.hpp"
#include "searches/make_search.hpp"
#include "searches/random.hpp"
#include "sharding.hpp"
#include "source_text.hpp"
#include "spurious_wakeups.hpp"
#include "thread_names.hpp"
#include "trace_export.hpp"
#include "verdict.hpp"

namespace interlace::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Shrinking gets at most this share of ExploreOptions::timeout, counted from the first
// failure, so that a slow failure (long executions) leaves time to replay and report it.
constexpr int kShrinkShareOfTimeout = 4; // a quarter

// The state of an execution that had to be abandoned: its stuck thread may still use it.
void retain_forever(std::shared_ptr<void> state) {
  static std::mutex mutex;
  static auto *retained = new std::vector<std::shared_ptr<void>>();
  const std::lock_guard<std::mutex> guard(mutex);
  retained->push_back(std::move(state));
}

std::uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::uint64_t schedule_hash(std::span<const int> schedule) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (int thread : schedule) {
    hash = (hash ^ static_cast<std::uint64_t>(thread)) * 0x100000001b3ULL;
  }
  return hash;
}

void validate(const ExplorationSpec &spec, const ExploreOptions &options) {
  if (rt::in_managed_thread()) {
    throw UsageError("explore_interleavings was called from a thread under exploration; nested "
                     "explorations are not supported. Call it from the test body.");
  }
  if (spec.num_threads == 0) {
    throw UsageError("explore_interleavings needs at least one thread body");
  }
  auto positive = [](int value, const char *name) {
    if (value <= 0) {
      throw UsageError(std::string("ExploreOptions::") + name + " must be positive, got " +
                       std::to_string(value));
    }
  };
  positive(options.max_attempts, "max_attempts");
  positive(options.max_steps, "max_steps");
  if (options.max_ops < 0) {
    throw UsageError("ExploreOptions::max_ops must not be negative, got " +
                     std::to_string(options.max_ops));
  }
  if (options.pct_depth < 1) {
    throw UsageError("ExploreOptions::pct_depth must be at least 1 (PCT's bug depth d: d - 1 "
                     "priority change points per schedule), got " +
                     std::to_string(options.pct_depth));
  }
  if (options.preemption_bound && *options.preemption_bound < 0) {
    throw UsageError("ExploreOptions::preemption_bound must not be negative, got " +
                     std::to_string(*options.preemption_bound));
  }
  if (options.max_shrinks < 0) {
    throw UsageError("ExploreOptions::max_shrinks must not be negative, got " +
                     std::to_string(options.max_shrinks));
  }
  if (options.reproduce_on_failure < 0) {
    throw UsageError("ExploreOptions::reproduce_on_failure must not be negative, got " +
                     std::to_string(options.reproduce_on_failure));
  }
  if (options.timeout.count() <= 0 || options.stall_timeout.count() <= 0) {
    throw UsageError("ExploreOptions::timeout and stall_timeout must be positive");
  }
  if (rt::instrumented_module_count() == 0) {
    throw UsageError(
        "explore_interleavings: no code in this program was compiled with the interlace pass, "
        "so there are no yield points at which to switch threads. Build the test with "
        "interlace_instrument(<target>) in CMake, or compile it with clang++-19 -g "
        "-fpass-plugin=/path/to/libInterlacePass.so and link -linterlace_rt.");
  }
}

class Explorer final : private ShrinkTarget {
public:
  Explorer(const ExplorationSpec &spec, const ExploreOptions &options)
      : spec_(spec), options_(options), env_(read_environment()) {
    if (env_.max_attempts) {
      options_.max_attempts = *env_.max_attempts;
    }
    if (env_.search) {
      options_.search = *env_.search;
    }
    seed_ = env_.seed ? *env_.seed : options_.seed ? *options_.seed : fresh_seed();
    if (env_.shard) {
      // One search spread over processes (sharding.hpp): this one's seed and attempts.
      seed_ = shard_seed(seed_, *env_.shard);
      options_.max_attempts = std::max(1, shard_attempts(options_.max_attempts, *env_.shard));
    }
    for (int i = 0; i < spec_.num_threads; ++i) {
      bodies_.emplace_back([this, i] { spec_.run_thread(spec_.run_context, i); });
    }
    key_ = exploration_key(spec_.where, spec_.num_threads, current_test_name());
    executor_.set_allocation_log(&run_allocations_);
  }

  ExplorationReport run() {
    deadline_ = Clock::now() + options_.timeout;
    if (std::optional<ReplayToken> token = matching_replay_token()) {
      return replay(expand(token->runs), std::move(token->wakes));
    }
    search_ = make_search(options_.search, search_params());
    explore_schedules();
    found_by_ = search_->kind();
    const bool replayable = failure_ && failure_->verdict != Verdict::Timeout;
    if (replayable && options_.shrink) {
      shrink();
    }
    search_.reset(); // ends a search that runs on a thread of its own
    if (harness_error_) {
      std::rethrow_exception(harness_error_);
    }
    if (replayable) {
      reproduce(*failure_);
    }
    return report(/*from_replay_token=*/false);
  }

private:
  // Searching stops at the exploration's deadline, shrinking at its own (which is never
  // later); replays of a found counterexample run to their end (the runtime's stall watchdog
  // still guards them).
  enum class Bound { Deadline, Shrink, None };

  rt::RunOptions run_options(Bound bound) const {
    rt::RunOptions options;
    options.max_steps = static_cast<std::uint64_t>(options_.max_steps);
    options.stall_timeout = options_.stall_timeout;
    options.spurious_wakeups = options_.spurious_wakeups;
    options.thread_names = spec_.thread_names;
    // cooperative_ wraps the strategy (see execute()), so the runtime need not ask it between
    // switch points, and tasks skip the library's plumbing there. Not for the systematic
    // search: it watches those steps (BlockStepObserver), and must see what the plumbing
    // touches (a channel's queue, a strand's state) to know which runs depend on each other.
    options.cooperative = spec_.cooperative && options_.search != Search::dpor;
    options.library_code_steps = !options.cooperative;
    // Tasks' loops take turns as one io_context thread runs them: on one OS thread. Not for
    // the systematic search either: fibers share one malloc cache, so a block one task frees
    // another allocates, and the search would take the reused address for a shared object.
    options.fibers = options.cooperative;
    if (bound == Bound::Deadline) {
      options.deadline = deadline_;
    } else if (bound == Bound::Shrink) {
      options.deadline = shrink_deadline_;
    }
    return options;
  }

  // Runs one schedule on a fresh state and says how it ended.
  Verdict execute(rt::Strategy &strategy, Bound bound = Bound::Deadline) {
    setup_allocations_.clear();
    run_allocations_.clear();
    last_assertion_.clear();
    // Test-framework assertions that fail from here to the invariant fail this execution.
    const std::unique_ptr<AssertionCapture> assertions = capture_assertions();
    const auto failed_assertions = [&] { return assertions ? assertions->count() : 0; };
    try {
      const rt::AllocationScope scope(setup_allocations_);
      spec_.new_state();
    } catch (...) {
      harness_error_ = std::current_exception();
      return Verdict::Holds;
    }
    layout_.state = spec_.share_state().get();
    layout_.state_size = spec_.state_size;
    const std::size_t in_setup = failed_assertions();
    rt::Strategy *chooser = &strategy;
    if (spec_.cooperative) {
      cooperative_.wrap(strategy, options_.every_co_await);
      chooser = &cooperative_;
    }
    const rt::Outcome outcome = executor_.run(bodies_, *chooser, run_options(bound));
    const std::size_t in_run = failed_assertions();
    saw_yield_points_ = saw_yield_points_ || executor_.memory_steps() > 0;
    last_outcome_ = outcome;
    Verdict verdict = verdict_of(outcome);
    if (verdict == Verdict::Timeout) {
      // A thread of that execution is still stuck and may come back to its state.
      retain_forever(spec_.share_state());
    }
    if (verdict == Verdict::Holds && in_run == 0) {
      try {
        if (!spec_.invariant_holds()) {
          verdict = Verdict::InvariantViolated;
        }
      } catch (...) {
        harness_error_ = std::current_exception();
      }
    }
    // The assertion came first: whatever followed (an early return, a deadlock) is its effect.
    if (failed_assertions() > 0 && verdict != Verdict::Timeout && verdict != Verdict::Stopped) {
      const CapturedAssertion &first = assertions->first();
      const std::string who = in_setup > 0  ? "the setup"
                              : in_run == 0 ? "the invariant"
                              : first.thread >= 0
                                  ? "thread " + std::to_string(first.thread)
                                  : std::string("a thread started by the exploration's threads");
      last_assertion_ = who + " " + first.text;
      verdict = Verdict::AssertionFailed;
    }
    return verdict;
  }

  const FailureRecord &keep_failure(Verdict verdict) {
    FailureRecord record;
    record.verdict = verdict;
    record.outcome = last_outcome_;
    record.trace.assign(executor_.trace().begin(), executor_.trace().end());
    record.schedule.assign(executor_.schedule().begin(), executor_.schedule().end());
    record.wake_choices.assign(executor_.wake_choices().begin(), executor_.wake_choices().end());
    record.preemptions = executor_.preemptions();
    record.assertion = last_assertion_;
    record.allocations = setup_allocations_;
    record.allocations.insert(record.allocations.end(), run_allocations_.begin(),
                              run_allocations_.end());
    record.state = spec_.share_state().get();
    record.state_size = spec_.state_size;
    spec_.keep_state();
    return failure_.emplace(std::move(record));
  }

  SearchParams search_params() const {
    SearchParams params;
    params.seed = seed_;
    params.pct_depth = options_.pct_depth;
    params.preemption_bound = options_.preemption_bound;
    params.max_steps = static_cast<std::uint64_t>(options_.max_steps);
    params.max_attempts = options_.max_attempts;
    params.shrink = options_.shrink;
    params.memory = &layout_;
    return params;
  }

  ExecutionResult result_of_last(bool failed) const {
    return ExecutionResult{executor_.schedule(), executor_.trace(), executor_.num_threads(), failed,
                           last_outcome_.failure == rt::FailureKind::Discarded};
  }

  // The search phase: executions the search chooses, until one fails, the search is done,
  // max_attempts ran, or the deadline passed.
  void explore_schedules() {
    while (num_explored_ < options_.max_attempts) {
      if (Clock::now() >= deadline_) {
        stopped_by_timeout_ = true;
        return;
      }
      rt::Strategy *strategy = search_->next_strategy();
      if (strategy == nullptr) {
        exhaustive_ = search_->exhaustive() && !(spec_.not_exhaustive && spec_.not_exhaustive());
        return;
      }
      if (options_.spurious_wakeups) {
        spurious_.wrap(*strategy, execution_seed(rt::splitmix64(seed_),
                                                 static_cast<std::uint64_t>(num_explored_)));
        strategy = &spurious_;
      }
      const Verdict verdict = execute(*strategy, Bound::Deadline);
      if (harness_error_) {
        return;
      }
      if (verdict == Verdict::Stopped) {
        stopped_by_timeout_ = true;
        return;
      }
      if (verdict == Verdict::StrategyError) {
        harness_error_ = std::make_exception_ptr(
            std::logic_error(std::string("interlace: internal error in the ") +
                             to_string(search_->kind()) + " search: " + last_outcome_.message));
        return;
      }
      ++num_explored_;
      if (verdict == Verdict::Discarded) {
        ++num_discarded_;
        search_->observe(result_of_last(false));
        continue;
      }
      seen_.insert(schedule_hash(executor_.schedule()));
      search_->observe(result_of_last(verdict != Verdict::Holds));
      if (verdict != Verdict::Holds) {
        keep_failure(verdict);
        shrink_deadline_ =
            std::min(deadline_, Clock::now() + options_.timeout / kShrinkShareOfTimeout);
        return;
      }
    }
  }

  // The failure being shrunk (shrinking starts only once there is one).
  const FailureRecord &failure() const override {
    if (!failure_) {
      throw std::logic_error("interlace: internal error: shrinking without a failure");
    }
    return *failure_;
  }

  // Shrinking: a search that shrinks its own failures goes first (RapidCheck's choice
  // sequences), then the explorer's own stages, which every failure goes through.
  void shrink() {
    if (SelfShrinkingSearch *own = search_->self_shrinking()) {
      shrink_with(*own);
    } else {
      reorder_failure(*this);
      shrink_failure_choices(*this);
    }
    simplify_failure(*this);
  }

  // ShrinkTarget: the stages of failure_shrinker.hpp.
  bool may_run() override { return !harness_error_ && shrink_budget_left(); }
  Verdict run_candidate(rt::Strategy &strategy) override {
    ++shrink_attempts_;
    return execute(strategy, Bound::Shrink);
  }
  int last_preemptions() const override { return executor_.preemptions(); }
  void keep_last(Verdict verdict) override { keep_failure(verdict); }

  void shrink_with(SelfShrinkingSearch &search) {
    while (rt::Strategy *strategy = search.next_strategy()) {
      if (harness_error_ || !shrink_budget_left()) {
        search.give_up();
        continue;
      }
      ++shrink_attempts_;
      const Verdict verdict = execute(*strategy, Bound::Shrink);
      const bool failed = verdict == failure().verdict;
      // After shrinking, RapidCheck runs its smallest case once more to describe it: that run
      // repeats the recorded failure's schedule and must not replace its record, which
      // describes the execution that failed (a re-run sees what the first one left in
      // globals).
      const bool repeats_record = std::ranges::equal(executor_.schedule(), failure().schedule);
      if (failed && !repeats_record) {
        keep_failure(verdict);
      }
      search.observe(result_of_last(failed));
    }
  }

  // Whether shrinking may run one more execution; if not, records why it stopped.
  bool shrink_budget_left() {
    const Clock::time_point now = Clock::now();
    if (now >= deadline_) {
      shrink_stop_ = "the exploration's timeout";
    } else if (shrink_attempts_ >= options_.max_shrinks) {
      shrink_stop_ = "ExploreOptions::max_shrinks";
    } else if (now >= shrink_deadline_) {
      shrink_stop_ = "its share of the time, a quarter of ExploreOptions::timeout";
    } else {
      return true;
    }
    return false;
  }

  void reproduce(const FailureRecord &final_failure) {
    for (int i = 0; i < options_.reproduce_on_failure && !harness_error_; ++i) {
      rt::ReplayStrategy strategy(final_failure.schedule, final_failure.wake_choices);
      ++reproduction_attempts_;
      if (execute(strategy, Bound::None) == final_failure.verdict) {
        ++reproduction_successes_;
      } else if (divergence_.empty()) {
        divergence_ = describe_divergence(i + 1, final_failure);
      }
    }
    if (harness_error_) {
      std::rethrow_exception(harness_error_);
    }
  }

  // Where the last replay first did something other than the counterexample.
  std::string describe_divergence(int replay, const FailureRecord &expected) const {
    const std::span<const rt::StepRecord> got = executor_.trace();
    const auto step_text = [](const rt::StepRecord &step) {
      return "thread " + std::to_string(step.thread) + " " + rt::to_string(step.event.kind) +
             (step.event.site != nullptr ? " at " + short_location(*step.event.site) : "");
    };
    const std::size_t common = std::min(got.size(), expected.trace.size());
    for (std::size_t i = 0; i < common; ++i) {
      const rt::StepRecord &a = expected.trace[i];
      const rt::StepRecord &b = got[i];
      if (a.thread != b.thread || a.event.kind != b.event.kind || a.event.site != b.event.site) {
        return "replay " + std::to_string(replay) + " diverged at step " + std::to_string(i + 1) +
               ": the counterexample had " + step_text(a) + ", the replay " + step_text(b) + ".";
      }
    }
    const std::string ended = last_outcome_.failed()
                                  ? std::string("failed differently: ") + last_outcome_.message
                                  : std::string("did not fail");
    if (got.size() == expected.trace.size()) {
      return "replay " + std::to_string(replay) + " took the same " + std::to_string(common) +
             " steps as the counterexample but " + ended +
             ": the outcome depends on data the schedule does not decide.";
    }
    return "replay " + std::to_string(replay) + " took the counterexample's first " +
           std::to_string(common) + " steps, then " +
           (got.size() < expected.trace.size()
                ? "ended after " + std::to_string(got.size()) + " of its " +
                      std::to_string(expected.trace.size())
                : "went on for " + std::to_string(got.size() - common) + " more") +
           " and " + ended + ".";
  }

  // The token's schedule, when INTERLACE_REPLAY is for this exploration.
  std::optional<ReplayToken> matching_replay_token() const {
    if (!env_.replay) {
      return std::nullopt;
    }
    ReplayToken token = decode(*env_.replay);
    // First the build: an exploration moved by an edit also has another key, and the cause
    // to report is the edit.
    if (token.build != rt::build_fingerprint()) {
      throw UsageError("INTERLACE_REPLAY was recorded by a different build of this program (the "
                       "instrumented code changed since), so its schedule no longer applies. "
                       "Run the exploration again without INTERLACE_REPLAY for a fresh token.");
    }
    if (token.exploration != key_ || token.threads != spec_.num_threads) {
      std::fprintf(stderr,
                   "interlace: INTERLACE_REPLAY is for another exploration; exploring %s:%u "
                   "normally\n",
                   spec_.where.file_name(), static_cast<unsigned>(spec_.where.line()));
      return std::nullopt;
    }
    // An execution stops at max_steps, so a longer schedule cannot have been recorded with
    // these options; refusing it also keeps the expansion as small as an execution.
    const std::uint64_t steps = total_steps(token.runs);
    if (steps > static_cast<std::uint64_t>(options_.max_steps)) {
      throw UsageError("INTERLACE_REPLAY's schedule has " + std::to_string(steps) +
                       " steps, more than ExploreOptions::max_steps (" +
                       std::to_string(options_.max_steps) +
                       ") lets an execution run. Replay it with the max_steps it was recorded "
                       "with, or run the exploration without INTERLACE_REPLAY.");
    }
    return token;
  }

  ExplorationReport replay(std::vector<int> schedule, std::vector<rt::WakeChoice> wakes) {
    rt::ReplayStrategy strategy(std::move(schedule), std::move(wakes));
    const Verdict verdict = execute(strategy, Bound::None);
    if (harness_error_) {
      std::rethrow_exception(harness_error_);
    }
    if (verdict == Verdict::StrategyError) {
      throw UsageError("INTERLACE_REPLAY's schedule does not fit this exploration (" +
                       last_outcome_.message +
                       "). Run the exploration again without INTERLACE_REPLAY for a fresh token.");
    }
    num_explored_ = 1;
    seen_.insert(schedule_hash(executor_.schedule()));
    if (verdict == Verdict::Discarded) {
      num_discarded_ = 1; // an interlace::assume() cut it short: no failure to show
    } else if (verdict != Verdict::Holds && verdict != Verdict::Timeout) {
      reproduce(keep_failure(verdict));
    } else if (verdict == Verdict::Timeout) {
      keep_failure(verdict);
    }
    return report(/*from_replay_token=*/true);
  }

  ExplorationReport report(bool from_replay_token) {
    ExplorationReport report;
    report.seed = seed_;
    report.num_explored = num_explored_;
    report.unique_interleavings = static_cast<int>(seen_.size());
    report.num_discarded = num_discarded_;
    report.property_holds = !failure_;
    report.exhaustive = exhaustive_ && !failure_;
    report.search = found_by_;
    ExplanationInput input;
    input.seed = seed_;
    input.search = options_.search == Search::automatic && failure_
                       ? std::string("automatic: ") + to_string(found_by_)
                       : to_string(options_.search);
    input.num_explored = num_explored_;
    input.max_attempts = options_.max_attempts;
    input.unique_interleavings = report.unique_interleavings;
    input.num_discarded = num_discarded_;
    input.exhaustive = report.exhaustive;
    if (report.exhaustive && options_.preemption_bound) {
      const int bound = *options_.preemption_bound;
      input.bound =
          "at most " + std::to_string(bound) + (bound == 1 ? " preemption" : " preemptions");
    }
    input.shrunk = options_.shrink;
    input.max_steps = options_.max_steps;
    input.shrink_attempts = shrink_attempts_;
    input.shrink_stop = shrink_stop_;
    input.from_replay_token = from_replay_token;
    input.stopped_by_timeout = stopped_by_timeout_;
    input.saw_yield_points = saw_yield_points_;
    if (failure_) {
      report.schedule = failure_->schedule;
      report.preemptions = failure_->preemptions;
      report.replay = encode(ReplayToken{rt::build_fingerprint(), key_, spec_.num_threads,
                                         runs_of(failure_->schedule), failure_->wake_choices});
      report.reproduction_attempts = reproduction_attempts_;
      report.reproduction_successes = reproduction_successes_;
      input.failure = &*failure_;
      input.reproduction_attempts = reproduction_attempts_;
      input.reproduction_successes = reproduction_successes_;
      input.replay_token = report.replay;
      input.rerun_command = rerun_command();
      input.divergence = divergence_;
      input.verbose = env_.verbose;
      if (env_.trace_out) {
        const TraceModel model =
            build_trace(in_user_code(failure_->trace), memory_of(*failure_), env_.verbose);
        std::string_view file = spec_.where.file_name();
        file.remove_prefix(file.rfind('/') == std::string_view::npos ? 0 : file.rfind('/') + 1);
        const std::string title = "interlace: " + std::string(file) + ":" +
                                  std::to_string(spec_.where.line()) + ", seed " +
                                  std::to_string(seed_);
        const std::string error =
            write_trace_file(*env_.trace_out, model, executor_.num_threads(), title);
        input.trace_file = error.empty() ? *env_.trace_out : error;
      }
    }
    input.thread_names = spec_.thread_names;
    report.explanation = with_thread_names(explain(input), spec_.thread_names);
    if (spec_.async_tasks && failure_) {
      const std::size_t headline = report.explanation.find('\n');
      report.explanation.insert(headline == std::string::npos ? report.explanation.size()
                                                              : headline + 1,
                                task_legend(failure_->trace));
    }
    return report;
  }

  // "  task 0 runs PostingCounter::increment (counter.cpp:42); task 1 runs ...": for async
  // tasks, the coroutine each ran first in the failing trace, as its first line of the user's
  // code shows it (a lambda is named by its line).
  std::string task_legend(std::span<const rt::StepRecord> trace) const {
    std::string legend;
    for (int thread = 0; thread < spec_.num_threads; ++thread) { // the clock is started later
      for (const rt::StepRecord &step : trace) {
        const interlace_site *site = step.event.site;
        if (step.thread != thread || site == nullptr || site->function == nullptr ||
            site->line == 0 || (site->flags & INTERLACE_SITE_SYSTEM_HEADER) != 0) {
          continue;
        }
        const std::string function = site->function;
        const bool lambda = function.find("operator()") != std::string::npos;
        legend += std::string(legend.empty() ? "  " : "; ") +
                  thread_label(thread, spec_.thread_names) + " runs " +
                  (lambda ? "the lambda at " + short_location(*site)
                          : function + " (" + short_location(*site) + ")");
        break;
      }
    }
    return legend.empty() ? legend : legend + ".\n";
  }

  const ExplorationSpec &spec_;
  ExploreOptions options_;
  Environment env_;
  std::uint64_t seed_ = 0;
  std::uint32_t key_ = 0;
  Clock::time_point deadline_;
  std::vector<std::function<void()>> bodies_;
  rt::Executor executor_;
  rt::Outcome last_outcome_;
  std::optional<FailureRecord> failure_;
  std::exception_ptr harness_error_;
  std::unordered_set<std::uint64_t> seen_;
  std::vector<rt::Allocation> setup_allocations_; // by the last setup
  std::vector<rt::Allocation> run_allocations_;   // by the last execution's threads
  MemoryLayout layout_{nullptr, 0, &setup_allocations_, &run_allocations_};
  std::string divergence_;
  std::string last_assertion_; // the last execution's failed assertion, if one failed
  Clock::time_point shrink_deadline_;
  int shrink_attempts_ = 0; // executions spent shrinking
  std::string shrink_stop_; // the budget that ended shrinking early, if one did
  int num_explored_ = 0;
  int num_discarded_ = 0;
  int reproduction_attempts_ = 0;
  int reproduction_successes_ = 0;
  bool stopped_by_timeout_ = false;
  bool saw_yield_points_ = false;
  std::unique_ptr<ScheduleSearch> search_;
  SpuriousWakeups spurious_;            // wraps the search's strategies with spurious_wakeups
  CooperativeStrategy cooperative_;     // wraps every strategy when spec_.cooperative
  Search found_by_ = Search::automatic; // the search that drove the last search execution
  bool exhaustive_ = false;             // the search covered every interleaving
};

} // namespace

Search search_in_effect(const ExploreOptions &options) {
  return read_environment().search.value_or(options.search);
}

ExplorationReport explore(const ExplorationSpec &spec, const ExploreOptions &options) {
  validate(spec, options); // refuses a nested exploration before it could wait for this lock
  const auto lock = lock_exploration();
  return Explorer(spec, options).run();
}

} // namespace interlace::detail
