#include "searches/random.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
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

class RandomSearch final : public SelfShrinkingSearch {
public:
  explicit RandomSearch(const SearchParams &params) : params_(params) {}

  ~RandomSearch() override {
    if (generator_.joinable()) {
      {
        const std::lock_guard<std::mutex> guard(mutex_);
        stopping_ = true;
        turn_ = Turn::Generator;
      }
      changed_.notify_all();
      generator_.join();
    }
  }
  RandomSearch(const RandomSearch &) = delete;
  RandomSearch &operator=(const RandomSearch &) = delete;

  Search kind() const override { return Search::random; }

  rt::Strategy *next_strategy() override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!generator_.joinable()) {
      generator_ = std::thread([this] { generate(); });
    } else if (!finished_) {
      turn_ = Turn::Generator; // the property returns the last execution's result
      changed_.notify_all();
    }
    changed_.wait(lock, [this] { return turn_ == Turn::Explorer; });
    if (finished_) {
      return nullptr;
    }
    strategy_.emplace(*choices_, std::numeric_limits<std::uint64_t>::max());
    return &*strategy_;
  }

  void observe(const ExecutionResult &result) override {
    const std::lock_guard<std::mutex> guard(mutex_);
    failed_ = result.failed;
    found_ = found_ || result.failed;
  }

  void give_up() override {
    const std::lock_guard<std::mutex> guard(mutex_);
    giving_up_ = true;
  }

private:
  enum class Turn { Explorer, Generator };

  // The generator thread: RapidCheck's runs, one property call per execution.
  void generate() {
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
      const std::lock_guard<std::mutex> guard(mutex_);
      if (found_ || stopping_ || giving_up_) {
        break;
      }
      remaining -= params.maxSuccess;
    }
    const std::lock_guard<std::mutex> guard(mutex_);
    finished_ = true;
    turn_ = Turn::Explorer;
    changed_.notify_all();
  }

  // One RapidCheck test case: hands a choice source to the explorer and waits for the result.
  bool property() {
    std::unique_lock<std::mutex> lock(mutex_);
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
    turn_ = Turn::Explorer;
    changed_.notify_all();
    changed_.wait(lock, [this] { return turn_ == Turn::Generator; });
    choices_ = nullptr;
    if (stopping_) {
      return true; // the search is over: RapidCheck moves on to a new case, which stops it
    }
    return !failed_;
  }

  SearchParams params_;
  std::thread generator_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Turn turn_ = Turn::Generator;
  RapidCheckChoices *choices_ = nullptr; // the current test case's, while it runs
  std::optional<rt::ChoiceStrategy> strategy_;
  bool failed_ = false;    // the last execution failed (the same way, when shrinking)
  bool found_ = false;     // a failure was found: RapidCheck is shrinking it
  bool giving_up_ = false; // give_up() was called
  bool stopping_ = false;  // the search is being destroyed
  bool finished_ = false;  // RapidCheck returned
};

} // namespace

std::unique_ptr<SelfShrinkingSearch> make_random_search(const SearchParams &params) {
  return std::make_unique<RandomSearch>(params);
}

} // namespace interlace::detail
