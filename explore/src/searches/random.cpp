#include "searches/random.hpp"

#include <rapidcheck.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "interlace/rt/choice_strategy.hpp"

namespace interlace::detail {
namespace {

// RapidCheck reserves memory for all of its maxSuccess test cases up front (and multiplies
// maxSuccess by the discard ratio in an int), so larger attempt counts are run as several
// RapidCheck runs of at most this many attempts, each with a seed derived from the first.
constexpr int kAttemptsPerRapidCheckRun = 100000;

// Draws each choice from RapidCheck, so that RapidCheck records and shrinks it. Called on
// whichever managed thread holds the turn; only one runs at a time.
class RapidCheckChoices final : public rt::ChoiceSource {
public:
  static constexpr int kFullSize = 100; // RapidCheck's nominal maximum size

  int choose(int n) override {
    const auto index = static_cast<std::size_t>(n);
    if (generators_.size() <= index) {
      generators_.resize(index + 1);
    }
    if (!generators_[index]) {
      // inRange narrows its range with RapidCheck's size, which grows from 0 over the test
      // cases; at full size every choice is equally likely from the first attempt on.
      generators_[index] =
          std::make_unique<rc::Gen<int>>(rc::gen::resize(kFullSize, rc::gen::inRange(0, n)));
    }
    return *(*generators_[index]);
  }

private:
  std::vector<std::unique_ptr<rc::Gen<int>>> generators_;
};

// RapidCheck reports through a listener; interlace writes its own explanation.
class SilentListener final : public rc::detail::TestListener {
public:
  void onTestCaseFinished(const rc::detail::CaseDescription &) override {}
  void onShrinkTried(const rc::detail::CaseDescription &, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata &, const rc::detail::TestResult &) override {}
};

// Thrown from the property to end RapidCheck's search early. RapidCheck records it as a
// failure without draws, which has nothing to shrink.
struct StopGenerating {};

// Strict alternation between two threads: one waits while the other runs. The waiter polls
// before it sleeps (as the runtime's Parker does): the other side usually hands back within
// microseconds, which a futex wake-up would multiply.
class Alternation {
public:
  enum Side : int { Explorer, Generator };

  // Gives the turn to `side`. Everything written before is visible to it once it has the turn.
  void pass_to(Side side) {
    turn_.store(side, std::memory_order_seq_cst);
    turn_.notify_all();
  }

  // Returns once `side` has the turn.
  void await(Side side) {
    constexpr int kBursts = 256; // a few tens of microseconds of polling
    constexpr int kPauses = 64;
    for (int burst = 0; burst < kBursts; ++burst) {
      for (int i = 0; i < kPauses; ++i) {
        if (turn_.load(std::memory_order_seq_cst) == side) {
          return;
        }
        relax();
      }
      sched_yield(); // give the core away between bursts: never starve the other side
    }
    for (int seen = turn_.load(std::memory_order_seq_cst); seen != side;
         seen = turn_.load(std::memory_order_seq_cst)) {
      turn_.wait(seen, std::memory_order_seq_cst);
    }
  }

private:
  static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
  }

  std::atomic<int> turn_{Generator};
};

class RandomSearch final : public SelfShrinkingSearch {
public:
  explicit RandomSearch(const SearchParams &params) : params_(params) {}

  ~RandomSearch() override {
    if (generator_.joinable()) {
      stopping_ = true;
      if (!finished_) {
        turns_.pass_to(Alternation::Generator);
      }
      generator_.join();
    }
  }
  RandomSearch(const RandomSearch &) = delete;
  RandomSearch &operator=(const RandomSearch &) = delete;

  Search kind() const override { return Search::random; }

  rt::Strategy *next_strategy() override {
    if (!generator_.joinable()) {
      generator_ = std::thread([this] { generate(); });
    } else if (!finished_) {
      turns_.pass_to(Alternation::Generator); // the property returns the last result
    }
    turns_.await(Alternation::Explorer);
    if (finished_) {
      return nullptr;
    }
    strategy_.emplace(*choices_, std::numeric_limits<std::uint64_t>::max());
    return &*strategy_;
  }

  void observe(const ExecutionResult &result) override {
    failed_ = result.failed;
    found_ = found_ || result.failed;
  }

  void give_up() override { giving_up_ = true; }

private:
  // The generator thread: RapidCheck's runs, one property call per execution. It runs only
  // while it has the turn, so the fields below need no lock.
  void generate() {
    turns_.await(Alternation::Generator);
    int remaining = params_.max_attempts;
    for (std::uint64_t run = 0; remaining > 0; ++run) {
      rc::detail::TestParams params;
      params.seed = run == 0 ? params_.seed : rt::splitmix64(params_.seed + run);
      params.maxSuccess = std::min(remaining, kAttemptsPerRapidCheckRun);
      params.maxSize = RapidCheckChoices::kFullSize;
      params.maxDiscardRatio = 10;
      params.disableShrinking = !params_.shrink;
      rc::detail::TestMetadata metadata;
      metadata.id = "interlace";
      SilentListener listener;
      // The overload with an explicit reproduce map: the others read RapidCheck's global
      // configuration (RC_PARAMS), which also prints to stderr.
      rc::detail::checkProperty(rc::detail::toProperty([this] { return property(); }), metadata,
                                params, listener, {});
      if (found_ || stopping_ || giving_up_) {
        break;
      }
      remaining -= params.maxSuccess;
    }
    finished_ = true;
    turns_.pass_to(Alternation::Explorer);
  }

  // One RapidCheck test case: hands a choice source to the explorer and waits for the result.
  bool property() {
    if (stopping_ || (giving_up_ && !found_)) {
      throw StopGenerating{}; // a new case, nothing drawn: RapidCheck has nothing to shrink
    }
    if (giving_up_ || (found_ && !params_.shrink)) {
      // Reject the remaining shrink candidates without running them. (Without shrinking,
      // RapidCheck evaluates the failing case once more to describe it: no need to run it.)
      return !found_ || giving_up_;
    }
    RapidCheckChoices choices;
    choices_ = &choices;
    turns_.pass_to(Alternation::Explorer);
    turns_.await(Alternation::Generator);
    choices_ = nullptr;
    if (stopping_) {
      return true; // the search is over: RapidCheck moves on to a new case, which stops it
    }
    return !failed_;
  }

  SearchParams params_;
  std::thread generator_;
  Alternation turns_;
  RapidCheckChoices *choices_ = nullptr; // the current test case's, while it runs
  std::optional<rt::ChoiceStrategy> strategy_;
  bool failed_ = false;    // the last execution failed (the same way, when shrinking)
  bool found_ = false;     // a failure was found: RapidCheck is shrinking it
  bool giving_up_ = false; // give_up() was called
  bool stopping_ = false;  // the search is being destroyed
  bool finished_ = false;  // RapidCheck returned
};

// The same choice sequences drawn from a seeded generator: no thread, no RapidCheck, and the
// explorer's choice shrinker for its failures.
class SeededRandomSearch final : public ScheduleSearch {
public:
  explicit SeededRandomSearch(const SearchParams &params) : seed_(params.seed) {}

  Search kind() const override { return Search::random; }

  rt::Strategy *next_strategy() override {
    strategy_.reset();
    source_.emplace(execution_seed(seed_, executions_++));
    strategy_.emplace(*source_, std::numeric_limits<std::uint64_t>::max());
    return &*strategy_;
  }

private:
  std::uint64_t seed_;
  std::uint64_t executions_ = 0;
  std::optional<rt::SeededChoiceSource> source_;
  std::optional<rt::ChoiceStrategy> strategy_;
};

} // namespace

std::unique_ptr<ScheduleSearch> make_seeded_random_search(const SearchParams &params) {
  return std::make_unique<SeededRandomSearch>(params);
}

std::unique_ptr<SelfShrinkingSearch> make_random_search(const SearchParams &params) {
  return std::make_unique<RandomSearch>(params);
}

} // namespace interlace::detail
