#include "searches/surw.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace interlace::detail {

// ---------------------------------------------------------------------------------------
// The strategy

SurwStrategy::SurwStrategy(std::uint64_t seed, SurwPlan plan, std::uint32_t starvation_steps)
    : seed_(seed), plan_(std::move(plan)),
      starvation_steps_(std::max<std::uint32_t>(starvation_steps, 1)), random_(seed) {
  std::ranges::sort(plan_.sites);
}

void SurwStrategy::begin() {
  random_ = SplitMix(seed_);
  weights_.clear();
  priorities_.clear();
  held_.clear();
  eligible_.clear();
  parents_.clear();
  steps_.clear();
  spin_watch_.reset();
  drawn_ = -1;
}

bool SurwStrategy::interesting(const rt::Event &event) const {
  if (plan_.every_event) {
    return true;
  }
  return event.site != nullptr && std::ranges::binary_search(plan_.sites, event.site);
}

// Threads below `threads` not seen yet: the ones of the first decision have no parent, later
// ones were spawned by the thread that was running.
void SurwStrategy::see(std::size_t threads, int current) {
  const bool first = weights_.empty();
  while (weights_.size() < threads) {
    const std::size_t thread = weights_.size();
    const std::uint64_t weight = thread < plan_.weights.size() ? plan_.weights[thread] : 1;
    const int parent =
        first || current < 0 || static_cast<std::size_t>(current) >= thread ? -1 : current;
    if (parent >= 0) {
      std::uint64_t &left = weights_[static_cast<std::size_t>(parent)];
      if (drawn_ == parent && weight >= 1 + random_.below(std::max<std::uint64_t>(left, 1))) {
        drawn_ = static_cast<int>(thread);
      }
      left -= std::min(left, weight);
    }
    weights_.push_back(weight);
    priorities_.push_back(random_.next());
    held_.push_back(false);
    parents_.push_back(parent);
  }
}

void SurwStrategy::release() {
  held_.assign(held_.size(), false);
  drawn_ = -1;
}

// The thread for the next interesting event, among the eligible threads not held back, in
// proportion to their weights (at least one of them has a weight).
int SurwStrategy::draw() {
  std::uint64_t total = 0;
  for (std::size_t thread = 0; thread < eligible_.size(); ++thread) {
    total += eligible_[thread] && !held_[thread] ? weights_[thread] : 0;
  }
  std::uint64_t pick = random_.below(total);
  for (std::size_t thread = 0; thread < eligible_.size(); ++thread) {
    if (!eligible_[thread] || held_[thread]) {
      continue;
    }
    if (pick < weights_[thread]) {
      return static_cast<int>(thread);
    }
    pick -= weights_[thread];
  }
  return -1; // not reached: total > 0
}

int SurwStrategy::run(int thread, const rt::Decision &decision) {
  const auto index = static_cast<std::size_t>(thread);
  if (thread != decision.current) {
    spin_watch_.reset(); // a new run
  }
  priorities_[index] = random_.next(); // its next event's
  if (plan_.profile) {
    rt::StepRecord record;
    record.thread = thread;
    record.event = index < decision.pending.size() ? decision.pending[index] : rt::Event{};
    steps_.push_back(record);
  }
  return thread;
}

std::optional<int> SurwStrategy::next(const rt::Decision &decision) {
  const std::span<const int> candidates = decision.candidates;
  if (candidates.empty()) {
    return std::nullopt;
  }
  const std::size_t threads = threads_in(decision);
  see(threads, decision.current);

  // A thread that spins or starves the others gives way for this step.
  int excluded = -1;
  if (spin_watch_.gives_way(decision, starvation_steps_)) {
    release();
    excluded = decision.current;
  }
  eligible_.assign(weights_.size(), false);
  for (const int thread : candidates) {
    eligible_[static_cast<std::size_t>(thread)] = thread != excluded;
  }

  bool released = false;
  for (;;) {
    int best = -1;
    for (std::size_t thread = 0; thread < eligible_.size(); ++thread) {
      if (eligible_[thread] && !held_[thread] &&
          (best < 0 || priorities_[thread] > priorities_[static_cast<std::size_t>(best)])) {
        best = static_cast<int>(thread);
      }
    }
    if (best < 0) {
      // Everyone runnable is held back: the drawn thread blocked or ended before it got to its
      // interesting event.
      if (released) {
        break; // not reached: after a release the drawn thread is eligible and never held
      }
      release();
      released = true;
      continue;
    }
    const auto index = static_cast<std::size_t>(best);
    if (index >= decision.pending.size() || !interesting(decision.pending[index])) {
      return run(best, decision);
    }
    weights_[index] = std::max<std::uint64_t>(weights_[index], 1);
    if (drawn_ < 0) {
      drawn_ = draw();
    }
    if (best != drawn_) {
      held_[index] = true;
      continue;
    }
    --weights_[index];
    release();
    return run(best, decision);
  }
  // Unreachable in practice; answer a candidate all the same.
  return run(excluded == candidates[0] && candidates.size() > 1 ? candidates[1] : candidates[0],
             decision);
}

std::size_t SurwStrategy::choose_waiter(const rt::WakeDecision &decision) {
  if (decision.waiters.size() < 2) {
    return 0;
  }
  return static_cast<std::size_t>(random_.below(decision.waiters.size()));
}

// ---------------------------------------------------------------------------------------
// The profile

SurwProfile::SurwProfile(std::span<const rt::StepRecord> steps, std::span<const int> parents)
    : parents_(parents.begin(), parents.end()) {
  std::size_t threads = parents.size();
  for (const rt::StepRecord &step : steps) {
    threads = std::max(threads, static_cast<std::size_t>(step.thread) + 1);
  }
  parents_.resize(threads, -1);
  site_counts_.resize(threads);
  step_counts_.assign(threads, 0);

  std::vector<Object> objects;
  std::unordered_map<const void *, std::size_t> by_address; // looked up only, never iterated
  for (const rt::StepRecord &step : steps) {
    const auto thread = static_cast<std::size_t>(step.thread);
    const rt::Event &event = step.event;
    ++step_counts_[thread];
    if (event.site != nullptr) {
      ++site_counts_[thread][event.site];
    }
    const bool memory = rt::is_memory_access(event.kind);
    if ((!memory && !rt::is_synchronisation(event.kind)) || event.addr == nullptr) {
      continue;
    }
    const auto [at, added] = by_address.try_emplace(event.addr, objects.size());
    if (added) {
      objects.emplace_back();
      objects.back().address = event.addr;
    }
    Object &object = objects[at->second];
    if (std::ranges::find(object.threads, step.thread) == object.threads.end()) {
      object.threads.push_back(step.thread);
    }
    object.written = object.written || !memory || rt::is_write(event.kind);
    if (event.site != nullptr &&
        std::ranges::find(object.sites, event.site) == object.sites.end()) {
      object.sites.push_back(event.site);
    }
  }
  for (Object &object : objects) {
    if (object.threads.size() >= 2 && object.written && !object.sites.empty()) {
      shared_.push_back(std::move(object));
    }
  }
}

// A thread's count plus those of the threads it spawned, transitively. A child's id is above
// its parent's (ids follow creation order), so one pass from the highest id adds each subtree.
std::vector<std::uint64_t> SurwProfile::with_descendants(std::vector<std::uint64_t> counts) const {
  for (std::size_t thread = counts.size(); thread-- > 0;) {
    const int parent = parents_[thread];
    if (parent >= 0 && static_cast<std::size_t>(parent) < thread) {
      counts[static_cast<std::size_t>(parent)] += counts[thread];
    }
  }
  return counts;
}

SurwPlan SurwProfile::plan(std::span<const std::size_t> objects) const {
  SurwPlan plan;
  if (objects.empty()) {
    plan.every_event = true;
    plan.weights = with_descendants(step_counts_);
    return plan;
  }
  for (const std::size_t object : objects) {
    const std::vector<const interlace_site *> &sites = shared_[object].sites;
    plan.sites.insert(plan.sites.end(), sites.begin(), sites.end());
  }
  std::ranges::sort(plan.sites);
  const auto duplicates = std::ranges::unique(plan.sites);
  plan.sites.erase(duplicates.begin(), duplicates.end());
  std::vector<std::uint64_t> counts(site_counts_.size(), 0);
  for (std::size_t thread = 0; thread < site_counts_.size(); ++thread) {
    for (const interlace_site *site : plan.sites) {
      const auto at = site_counts_[thread].find(site);
      counts[thread] += at == site_counts_[thread].end() ? 0 : at->second;
    }
  }
  plan.weights = with_descendants(std::move(counts));
  return plan;
}

SurwPlan SurwProfile::draw(SplitMix &random) const {
  if (shared_.empty()) {
    return plan({});
  }
  // A uniform subset of a uniform size: a partial Fisher-Yates shuffle of the object indices.
  const std::size_t size = 1 + random.below(std::min(shared_.size(), kMaxSelected));
  std::vector<std::size_t> indices(shared_.size());
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  for (std::size_t i = 0; i < size; ++i) {
    std::swap(indices[i], indices[i + random.below(indices.size() - i)]);
  }
  indices.resize(size);
  return plan(indices);
}

// ---------------------------------------------------------------------------------------
// The search

rt::Strategy *SurwSearch::next_strategy() {
  const std::uint64_t seed = execution_seed(params_.seed, executions_);
  ++executions_;
  if (!profile_) {
    SurwPlan plan;
    plan.profile = true;
    strategy_.emplace(seed, std::move(plan));
  } else {
    SplitMix selection(seed);
    strategy_.emplace(rt::splitmix64(seed), profile_->draw(selection));
  }
  return &*strategy_;
}

void SurwSearch::observe(const ExecutionResult &result) {
  (void)result;
  if (!profile_ && strategy_ && strategy_->plan().profile) {
    profile_.emplace(strategy_->steps(), strategy_->parents());
  }
}

std::unique_ptr<ScheduleSearch> make_surw_search(const SearchParams &params) {
  return std::make_unique<SurwSearch>(params);
}

} // namespace interlace::detail
