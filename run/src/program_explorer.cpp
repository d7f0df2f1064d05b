#include "program_explorer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_set>

#include "explanation.hpp"
#include "failure_shrinker.hpp"
#include "interlace/errors.hpp"
#include "interlace/rt/replay_strategy.hpp"
#include "interlace/rt/sites.hpp"
#include "replay_token.hpp"
#include "searches/make_search.hpp"
#include "searches/random.hpp"
#include "searches/search_names.hpp"
#include "sharding.hpp"
#include "verdict.hpp"

namespace interlace::run {
namespace {

using Clock = std::chrono::steady_clock;
using detail::FailureRecord;
using detail::Verdict;

// Replay tokens of whole programs carry this in place of an exploration's call site: a
// program has one exploration, its main.
constexpr std::uint32_t kProgramKey = 0x6d61696e; // "main"

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

bool contains(const std::string &text, const char *what) {
  return text.find(what) != std::string::npos;
}

// The first line of `output` that starts a sanitizer's report, if there is one.
std::optional<std::string> sanitizer_report(const std::string &output) {
  for (const char *marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
        "ERROR: MemorySanitizer", "runtime error:"}) {
    const std::size_t at = output.find(marker);
    if (at == std::string::npos) {
      continue;
    }
    const std::size_t begin = output.rfind('\n', at);
    const std::size_t end = output.find('\n', at);
    std::string line =
        output.substr(begin == std::string::npos ? 0 : begin + 1,
                      end == std::string::npos ? std::string::npos : end - (begin + 1));
    if (const std::size_t summary = output.find("SUMMARY: ", at); summary != std::string::npos) {
      const std::size_t summary_end = output.find('\n', summary);
      line = output.substr(summary + 9, summary_end == std::string::npos
                                            ? std::string::npos
                                            : summary_end - (summary + 9));
    }
    return line;
  }
  return std::nullopt;
}

std::string replace_all(std::string text, const std::string &from, const std::string &to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The page of counters `interlace run` shows in its progress line.
class Progress {
public:
  Progress(int fd, int shard) {
    if (fd < 0) {
      return;
    }
    void *page = mmap(nullptr, sizeof(ProgressSlot) * kProgressSlots, PROT_READ | PROT_WRITE,
                      MAP_SHARED, fd, 0);
    if (page != MAP_FAILED) {
      slot_ = static_cast<ProgressSlot *>(page) + shard % kProgressSlots;
    }
  }
  void count_run() {
    if (slot_ != nullptr) {
      std::atomic_ref(slot_->runs).fetch_add(1, std::memory_order_relaxed);
    }
  }
  void publish(int executions, int distinct, Search search) {
    if (slot_ != nullptr) {
      std::atomic_ref(slot_->executions)
          .store(static_cast<std::uint64_t>(executions), std::memory_order_relaxed);
      std::atomic_ref(slot_->distinct)
          .store(static_cast<std::uint64_t>(distinct), std::memory_order_relaxed);
      std::atomic_ref(slot_->search)
          .store(static_cast<std::uint64_t>(search), std::memory_order_relaxed);
    }
  }

private:
  ProgressSlot *slot_ = nullptr;
};

class ProgramExplorer final : private detail::ShrinkTarget {
public:
  ProgramExplorer(const ProgramEntry &entry, const RunConfig &config, int stdin_fd)
      : config_(config),
        executor_(make_program_executor(
            entry, stdin_fd, config.fork_each_execution ? Isolation::Fork : Isolation::Rollback)),
        progress_(config.progress_fd, config.shard_index) {
    search_kind_ = detail::parse_search(config.search, "--search");
    if (search_kind_ == Search::dpor) {
      // Its strategy reads the memory an atomic read-modify-write touched, which here lives in
      // the forked execution, not in the process that runs the search.
      throw UsageError("interlace run: --search dpor is not available for whole programs yet; "
                       "use it with explore_interleavings, or choose automatic, random, pct, pos "
                       "or surw here");
    }
    base_seed_ = config.seed ? *config.seed : fresh_seed();
    const std::uint64_t base = base_seed_;
    const detail::Shard shard{config.shard_index, config.shard_count};
    seed_ = detail::shard_seed(base, shard);
    max_attempts_ = detail::shard_attempts(config.max_attempts, shard);
    deadline_ = Clock::now() + std::chrono::milliseconds(config.time_limit_ms);
    shrink_deadline_ = deadline_;
  }

  ProgramReport run() {
    if (config_.replay) {
      return replay(detail::decode(*config_.replay));
    }
    if (max_attempts_ > 0) {
      explore();
    }
    const bool replayable = failure_ && failure_->verdict != Verdict::Timeout;
    if (replayable) {
      shrink();
      reproduce();
    }
    return report(false);
  }

private:
  enum class Bound { Deadline, Shrink, None };

  rt::RunOptions run_options(Bound bound) const {
    rt::RunOptions options;
    options.max_steps = static_cast<std::uint64_t>(config_.max_steps);
    options.stall_timeout = std::chrono::milliseconds(config_.stall_timeout_ms);
    if (bound == Bound::Deadline) {
      options.deadline = deadline_;
    } else if (bound == Bound::Shrink) {
      options.deadline = shrink_deadline_;
    }
    return options;
  }

  Verdict execute(rt::Strategy &strategy, Bound bound) {
    last_ = executor_->run(strategy, run_options(bound));
    progress_.count_run();
    if (last_.exited_without_record && !sanitizer_report(executor_->output())) {
      throw UsageError("an execution's process " +
                       last_.died.substr(0, last_.died.find(" outside")) +
                       " without reporting back: the program replaced itself with exec(), or "
                       "ended the process outside the threads interlace manages. interlace run "
                       "follows a program's threads, not the programs it execs.");
    }
    saw_yield_points_ = saw_yield_points_ || last_.memory_steps > 0;
    max_threads_ = std::max(max_threads_, last_.num_threads);
    rt::Outcome &outcome = last_.outcome;
    if (outcome.failure == rt::FailureKind::Exit || outcome.failure == rt::FailureKind::None) {
      // The program ended itself: with --fail-on-exit-code a non-zero status is a failure.
      if (!config_.fail_on_exit_code || last_.exit_status == 0) {
        return Verdict::Holds;
      }
      if (outcome.failure == rt::FailureKind::None) {
        outcome.message = "main returned " + std::to_string(last_.exit_status);
      }
      return Verdict::Exit;
    }
    const Verdict verdict = detail::verdict_of(outcome);
    if (verdict == Verdict::Timeout && bound != Bound::None &&
        Clock::now() >= (bound == Bound::Deadline ? deadline_ : shrink_deadline_)) {
      // Past its deadline the runtime gives an execution one second without a step before it
      // calls it a stall (RunOptions::stall_timeout), to end the run soon: on a loaded machine a
      // healthy execution can take that long, so this one was stopped, not stuck.
      return Verdict::Stopped;
    }
    return verdict;
  }

  // The failure being shrunk or reported (only called once there is one).
  const FailureRecord &failure() const override {
    if (!failure_) {
      throw std::logic_error("internal error: no failure to shrink or report");
    }
    return *failure_;
  }

  void keep_failure(Verdict verdict) {
    FailureRecord record;
    record.verdict = verdict;
    record.outcome = last_.outcome;
    record.trace = last_.trace;
    record.schedule = last_.schedule;
    record.wake_choices = last_.wake_choices;
    record.preemptions = last_.preemptions;
    record.allocations = last_.allocations;
    failure_ = std::move(record);
    failure_threads_ = last_.num_threads;
    failure_died_ = last_.died;
    output_ = executor_->output();
  }

  detail::SearchParams search_params() const {
    detail::SearchParams params;
    params.seed = seed_;
    params.max_steps = static_cast<std::uint64_t>(config_.max_steps);
    params.max_attempts = max_attempts_;
    return params;
  }

  void explore() {
    // RapidCheck's random search runs on a generator thread of its own, which a forked
    // execution does not have: programs get the same search drawn from a seeded generator,
    // shrunk by the choice shrinker like the samplers' failures.
    search_ = search_kind_ == Search::random ? detail::make_seeded_random_search(search_params())
                                             : detail::make_search(search_kind_, search_params());
    while (num_explored_ < max_attempts_) {
      if (Clock::now() >= deadline_) {
        stopped_by_timeout_ = true;
        break;
      }
      rt::Strategy *strategy = search_->next_strategy();
      if (strategy == nullptr) {
        exhaustive_ = search_->exhaustive();
        break;
      }
      const Verdict verdict = execute(*strategy, Bound::Deadline);
      if (verdict == Verdict::Stopped) {
        stopped_by_timeout_ = true;
        break;
      }
      if (verdict == Verdict::StrategyError) {
        throw std::logic_error(std::string("internal error in the ") + to_string(search_->kind()) +
                               " search: " + last_.outcome.message);
      }
      ++num_explored_;
      seen_.insert(schedule_hash(last_.schedule));
      progress_.publish(num_explored_, static_cast<int>(seen_.size()), search_->kind());
      search_->observe(detail::ExecutionResult{last_.schedule, last_.trace, last_.num_threads,
                                               verdict != Verdict::Holds});
      if (verdict != Verdict::Holds) {
        found_by_ = search_->kind();
        keep_failure(verdict);
        shrink_deadline_ = std::min(
            deadline_, Clock::now() + std::chrono::milliseconds(config_.time_limit_ms) / 4);
        break;
      }
      if (num_explored_ == 1 && last_.num_threads == 1) {
        single_threaded_ = true; // every schedule of one thread is the same: nothing to search
        break;
      }
    }
    found_by_ = failure_ ? found_by_ : search_->kind();
  }

  bool shrink_budget_left() {
    const Clock::time_point now = Clock::now();
    if (now >= deadline_) {
      shrink_stop_ = "the time limit";
    } else if (shrink_attempts_ >= config_.max_shrinks) {
      shrink_stop_ = "--max-shrinks";
    } else if (now >= shrink_deadline_) {
      shrink_stop_ = "its share of the time, a quarter of the time limit";
    } else {
      return true;
    }
    return false;
  }

  // The explorer's three stages (failure_shrinker.hpp): the equivalent schedule with the fewest
  // switches, the choice shrinker, then merging runs.
  void shrink() {
    detail::reorder_failure(*this);
    detail::shrink_failure_choices(*this);
    detail::simplify_failure(*this);
  }

  // ShrinkTarget.
  bool may_run() override { return shrink_budget_left(); }
  Verdict run_candidate(rt::Strategy &strategy) override {
    ++shrink_attempts_;
    return execute(strategy, Bound::Shrink);
  }
  int last_preemptions() const override { return last_.preemptions; }
  void keep_last(Verdict verdict) override { keep_failure(verdict); }

  void reproduce() {
    const FailureRecord final_failure = failure();
    const std::string output = output_;
    for (int i = 0; i < config_.reproduce; ++i) {
      rt::ReplayStrategy strategy(final_failure.schedule, final_failure.wake_choices);
      ++reproduction_attempts_;
      if (execute(strategy, Bound::None) == final_failure.verdict) {
        ++reproduction_successes_;
      } else if (divergence_.empty()) {
        divergence_ = "replay " + std::to_string(i + 1) + " " +
                      (last_.outcome.failed() ? "failed differently: " + last_.outcome.message
                                              : std::string("did not fail")) +
                      ".";
      }
    }
    output_ = output;
  }

  ProgramReport replay(const detail::ReplayToken &token) {
    if (token.build != rt::build_fingerprint()) {
      throw UsageError("the replay token was recorded by a different build of this program (the "
                       "instrumented code changed since), so its schedule no longer applies. Run "
                       "interlace run again without --replay for a fresh token.");
    }
    if (token.exploration != kProgramKey) {
      throw UsageError("the replay token is from an explore_interleavings test, not from "
                       "interlace run; replay it by running that test with INTERLACE_REPLAY set");
    }
    if (detail::total_steps(token.runs) > static_cast<std::uint64_t>(config_.max_steps)) {
      throw UsageError("the replay token's schedule is longer than --max-steps " +
                       std::to_string(config_.max_steps) +
                       " lets an execution run; pass the --max-steps it was recorded with");
    }
    rt::ReplayStrategy strategy(detail::expand(token.runs), token.wakes);
    const Verdict verdict = execute(strategy, Bound::None);
    if (verdict == Verdict::StrategyError) {
      throw UsageError("the replay token's schedule does not fit this program (" +
                       last_.outcome.message +
                       "); run interlace run without --replay for a "
                       "fresh token");
    }
    num_explored_ = 1;
    seen_.insert(schedule_hash(last_.schedule));
    if (verdict != Verdict::Holds) {
      keep_failure(verdict);
      if (verdict != Verdict::Timeout) {
        reproduce(); // as explore_interleavings does with a token: is it deterministic?
      }
    }
    return report(true);
  }

  std::string kind_of(const FailureRecord &failure) const {
    const std::string &message = failure.outcome.message;
    if (sanitizer_report(output_)) {
      return "sanitizer";
    }
    switch (failure.verdict) {
    case Verdict::Exception:
      return contains(message, "failed an assertion") ? "assertion"
             : contains(message, "called abort()")    ? "abort"
                                                      : "exception";
    case Verdict::Deadlock:
      return "deadlock";
    case Verdict::Livelock:
      return "livelock";
    case Verdict::Timeout:
      return "stall";
    case Verdict::Crash:
      return "signal";
    case Verdict::Exit:
      return "exit-code";
    default:
      return "failure";
    }
  }

  // explain() names the seed this shard searched with; a user reruns the run with --seed and
  // the shard, so name those.
  std::string with_run_seed(std::string text) const {
    if (config_.shard_count <= 1) {
      return text;
    }
    return replace_all(std::move(text), "seed " + std::to_string(seed_),
                       "seed " + std::to_string(base_seed_) + ", shard " +
                           std::to_string(config_.shard_index) + "/" +
                           std::to_string(config_.shard_count));
  }

  ProgramReport report(bool from_replay_token) {
    ProgramReport report;
    report.seed = base_seed_;
    report.shard = std::to_string(config_.shard_index) + "/" + std::to_string(config_.shard_count);
    report.executions = num_explored_;
    report.distinct = static_cast<int>(seen_.size());
    report.search = config_.replay ? "replay" : to_string(found_by_);
    report.exhaustive = exhaustive_ && !failure_;
    report.threads = failure_ ? failure_threads_ : max_threads_;
    progress_.publish(num_explored_, report.distinct, found_by_);

    detail::ExplanationInput input;
    input.seed = seed_;
    input.search = search_kind_ == Search::automatic && failure_
                       ? std::string("automatic: ") + to_string(found_by_)
                       : to_string(search_kind_);
    input.num_explored = num_explored_;
    input.max_attempts = max_attempts_;
    input.unique_interleavings = report.distinct;
    input.shrunk = true;
    input.max_steps = config_.max_steps;
    input.shrink_attempts = shrink_attempts_;
    input.shrink_stop = shrink_stop_;
    input.from_replay_token = from_replay_token;
    input.stopped_by_timeout = stopped_by_timeout_;
    input.saw_yield_points = saw_yield_points_;
    input.verbose = config_.verbose;
    if (!failure_) {
      report.verdict = ProgramReport::Verdict::Holds;
      report.explanation = with_run_seed(detail::explain(input));
      if (single_threaded_) {
        report.explanation += "  The program started no thread besides main, so every schedule "
                              "is the same: one execution was all there was to run.\n";
      }
      return report;
    }
    FailureRecord &failure = failure_.value();
    report.verdict = ProgramReport::Verdict::Failure;
    report.kind = kind_of(failure);
    if (const std::optional<std::string> sanitizer = sanitizer_report(output_)) {
      failure.outcome.message = *sanitizer;
    }
    report.message = failure.outcome.message;
    report.preemptions = failure.preemptions;
    const std::vector<detail::ScheduleRun> runs = detail::runs_of(failure.schedule);
    report.token = detail::encode(detail::ReplayToken{rt::build_fingerprint(), kProgramKey,
                                                      std::max(1, failure_threads_), runs,
                                                      failure.wake_choices});
    for (const detail::ScheduleRun &run : runs) {
      report.schedule += (report.schedule.empty() ? "" : "_") + std::to_string(run.thread) + "." +
                         std::to_string(run.count);
    }
    input.failure = &failure;
    input.reproduction_attempts = reproduction_attempts_;
    input.reproduction_successes = reproduction_successes_;
    input.divergence = divergence_;
    input.replay_token = report.token;
    input.rerun_command = config_.rerun_command;
    std::string text = with_run_seed(detail::explain(input));
    // The replay line in the command's own words; INTERLACE_REPLAY works as well.
    const std::string prefix = "interlace run ";
    std::string command = config_.rerun_command;
    if (command.starts_with(prefix)) {
      command.insert(prefix.size(), "--replay " + report.token + " ");
    }
    text = replace_all(text, "INTERLACE_REPLAY=" + report.token + " " + config_.rerun_command,
                       command);
    text = replace_all(text, "(ExploreOptions::max_steps)", "(--max-steps)");
    const std::string hint = "e.g. {.max_steps = ";
    if (const std::size_t at = text.find(hint); at != std::string::npos) {
      const std::size_t end = text.find('}', at);
      text.replace(at, end - at + 1,
                   "e.g. --max-steps " + text.substr(at + hint.size(), end - at - hint.size()));
    }
    text = replace_all(text, "replayed from INTERLACE_REPLAY", "replayed from its token");
    if (!failure_died_.empty()) {
      text += "  The execution's process ended outside interlace's control (" + failure_died_ +
              "); its trace is lost.\n";
    }
    if (!output_.empty()) {
      std::string shown = output_;
      constexpr std::size_t kMaxOutput = 8192;
      if (shown.size() > kMaxOutput) {
        shown = "[... " + std::to_string(shown.size() - kMaxOutput) + " bytes elided ...]\n" +
                shown.substr(shown.size() - kMaxOutput);
      }
      if (!shown.ends_with('\n')) {
        shown += '\n';
      }
      text += "\n  the program's output in this execution:\n" +
              replace_all("    " + shown, "\n", "\n    ");
      while (text.ends_with(' ')) {
        text.pop_back();
      }
    }
    report.explanation = text;
    return report;
  }

  RunConfig config_;
  std::unique_ptr<ProgramExecutor> executor_;
  Progress progress_;
  Search search_kind_ = Search::automatic;
  Search found_by_ = Search::automatic;
  std::uint64_t base_seed_ = 0; // --seed: what reruns the whole run
  std::uint64_t seed_ = 0;      // this shard's, derived from it
  int max_attempts_ = 0;
  Clock::time_point deadline_;
  Clock::time_point shrink_deadline_;
  std::unique_ptr<detail::ScheduleSearch> search_;
  ProgramRun last_;
  std::optional<FailureRecord> failure_;
  int failure_threads_ = 0;
  std::string failure_died_;
  std::string output_; // the failing execution's output
  std::unordered_set<std::uint64_t> seen_;
  int num_explored_ = 0;
  int max_threads_ = 0;
  int shrink_attempts_ = 0;
  std::string shrink_stop_;
  int reproduction_attempts_ = 0;
  int reproduction_successes_ = 0;
  std::string divergence_;
  bool stopped_by_timeout_ = false;
  bool saw_yield_points_ = false;
  bool exhaustive_ = false;
  bool single_threaded_ = false;
};

} // namespace

ProgramReport explore_program(const ProgramEntry &entry, const RunConfig &config) {
  int stdin_fd = -1;
  try {
    if (!config.stdin_file.empty()) {
      stdin_fd = open(config.stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
      if (stdin_fd < 0) {
        throw UsageError("--stdin " + config.stdin_file + ": " + std::strerror(errno));
      }
    }
    if (rt::instrumented_module_count() == 0) {
      throw UsageError("the program has no code compiled with the interlace pass, so there are "
                       "no yield points at which to switch threads. Build it with interlace-cc "
                       "or interlace-c++ (or interlace_instrument(<target>) in CMake).");
    }
    ProgramReport report = ProgramExplorer(entry, config, stdin_fd).run();
    if (stdin_fd >= 0) {
      close(stdin_fd);
    }
    return report;
  } catch (const UsageError &error) {
    ProgramReport report;
    report.verdict = ProgramReport::Verdict::UsageError;
    report.message = error.what();
    return report;
  } catch (const std::exception &error) {
    ProgramReport report;
    report.verdict = ProgramReport::Verdict::UsageError;
    report.message = std::string("interlace run: ") + error.what();
    return report;
  }
}

} // namespace interlace::run
