// SURW, selectively uniform random walk (Zhao, Wolff, Mathur, Roychoudhury, "Selectively
// Uniform Concurrency Testing", ASPLOS 2025). A random walk that picks the next thread uniformly
// is far from uniform over interleavings: a thread with one step left is as likely to run next
// as one with a hundred, so most of the probability goes to the few interleavings where short
// threads run early. URW picks each thread with probability proportional to the number of
// events it has left, which samples every interleaving uniformly when the counts are exact.
// SURW applies that to a selected subset of "interesting" events only: which thread executes the
// next interesting event is drawn in proportion to each thread's remaining interesting events,
// and the other events are scheduled by random priorities. The interleavings of the interesting
// events are then sampled uniformly, however many other events surround them.
//
// What is implemented, following the reference implementation (github.com/zhaohuanqdcn/SURW,
// src/main.zig, with the "rp" algorithm for uninteresting events) where the paper leaves
// details open, and Fray's reimplementation for choosing the interesting events:
// - Profiling. The first execution has no interesting event (random priorities only) and
//   records every step: which sites each thread executed how often, which objects (memory
//   addresses, synchronisation objects) each site touched, and which thread spawned which.
// - Selection. Each later execution draws its own subset: 1 to kMaxSelected of the profile's
//   shared objects (touched by two threads or more, one of them writing; a synchronisation
//   object counts as written), uniformly. Its interesting events are those at the sites that
//   touched a selected object: sites, not addresses, because addresses change from one
//   execution to the next. Fray fixes one random set of up to 20 objects for a whole search;
//   drawing afresh gives each shared object its turn. With no shared object in the profile,
//   every event is interesting (URW, the paper's non-selective variant).
// - Weights. A thread's remaining interesting events start at its profile count plus those of
//   the threads it spawns; a spawn moves the child's count from the parent to the child, and if
//   the parent was drawn for the next interesting event, the child takes that over with
//   probability child / parent. Each interesting event executed takes one off. A thread the
//   profile did not see counts 1, and a thread at an interesting event with nothing left counts
//   1, as in the reference. Simplification: an object is its first byte's address (accesses
//   that overlap without starting at the same byte are different objects).
// - The walk, at every step: the highest-priority runnable thread that is not held back runs if
//   its pending event is not interesting, and its next event gets a fresh priority. If it is
//   interesting, the thread for the next interesting event is drawn (once per interesting
//   event) among the runnable threads not held back, in proportion to their weights, and every
//   other thread that reaches an interesting event is held back until that one executed. When
//   every runnable thread is held back (the drawn thread blocked or ended first), all are
//   released and the draw is made again.
// - Fairness. A thread that SpinWatch takes for a spinner (sampling.hpp), or that has run
//   kStarvationSteps steps in a row while others could run, releases the held-back threads,
//   cancels the draw and gives way for one step (the reference resets its priorities after
//   1000 steps). Weights estimated from a profile that spun are too high for the spinner, so
//   without the watch a spin-wait handoff could cost up to kStarvationSteps steps.
// - Wake-ups choose the released waiter (or the expiring timed wait) uniformly at random.
//
// SURW is asked at every step: it counts the interesting events each thread executes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "searches/sampling.hpp"
#include "searches/search.hpp"

namespace interlace::detail {

// What one execution's SURW strategy is given.
struct SurwPlan {
  std::vector<const interlace_site *> sites; // the interesting events' sites, sorted
  bool every_event = false;                  // every event is interesting (URW)
  // Each thread's interesting events, those of the threads it spawns included, by id.
  std::vector<std::uint64_t> weights;
  bool profile = false; // record every step, for a SurwProfile
};

class SurwStrategy final : public rt::Strategy {
public:
  SurwStrategy(std::uint64_t seed, SurwPlan plan,
               std::uint32_t starvation_steps = kStarvationSteps);

  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;

  bool interesting(const rt::Event &event) const;
  const SurwPlan &plan() const { return plan_; }
  // By thread id, for the threads seen so far: the interesting events each has left (its
  // weight), the random priority of its pending event, whether it is held back.
  const std::vector<std::uint64_t> &weights() const { return weights_; }
  const std::vector<std::uint64_t> &priorities() const { return priorities_; }
  const std::vector<bool> &held() const { return held_; }
  // The thread drawn to execute the next interesting event, or -1.
  int drawn() const { return drawn_; }
  // The thread that was running when each thread first appeared (its spawner), or -1 for the
  // threads of the first decision.
  const std::vector<int> &parents() const { return parents_; }
  // With plan().profile: every step this strategy chose, with the event it executed.
  const std::vector<rt::StepRecord> &steps() const { return steps_; }

private:
  void see(std::size_t threads, int current);
  void release();
  int draw();
  int run(int thread, const rt::Decision &decision);

  std::uint64_t seed_;
  SurwPlan plan_;
  std::uint32_t starvation_steps_;
  SplitMix random_;
  std::vector<std::uint64_t> weights_;
  std::vector<std::uint64_t> priorities_;
  std::vector<bool> held_;
  std::vector<bool> eligible_; // scratch: a candidate that may run at this decision
  std::vector<int> parents_;
  std::vector<rt::StepRecord> steps_;
  SpinWatch spin_watch_;
  int drawn_ = -1;
};

// What the profiling execution taught: per thread, how often it executed each site; the shared
// objects and the sites that touched them; who spawned whom.
class SurwProfile {
public:
  // Shared objects drawn per execution: 1 to this many.
  static constexpr std::size_t kMaxSelected = 4;

  // From the steps of an execution (thread and event, in order) and each thread's spawner.
  SurwProfile(std::span<const rt::StepRecord> steps, std::span<const int> parents);

  // Objects touched by two threads or more, one of them writing, in order of first use.
  std::size_t shared_objects() const { return shared_.size(); }
  const void *object_address(std::size_t object) const { return shared_[object].address; }

  // The plan that makes the given shared objects' sites interesting (every event, if none).
  SurwPlan plan(std::span<const std::size_t> objects) const;
  // A plan for a random selection (see the header comment).
  SurwPlan draw(SplitMix &random) const;

private:
  struct Object {
    const void *address = nullptr;
    std::vector<int> threads;
    bool written = false;
    std::vector<const interlace_site *> sites; // in order of first use
  };
  std::vector<std::uint64_t> with_descendants(std::vector<std::uint64_t> counts) const;

  std::vector<Object> shared_;
  std::vector<std::unordered_map<const interlace_site *, std::uint64_t>> site_counts_;
  std::vector<std::uint64_t> step_counts_;
  std::vector<int> parents_;
};

class SurwSearch final : public ScheduleSearch {
public:
  explicit SurwSearch(const SearchParams &params) : params_(params) {}

  Search kind() const override { return Search::surw; }
  rt::Strategy *next_strategy() override;
  // Builds the profile from the first execution observed (the strategy's own record of it).
  void observe(const ExecutionResult &result) override;

  const SurwProfile *profile() const { return profile_ ? &*profile_ : nullptr; }

private:
  SearchParams params_;
  std::uint64_t executions_ = 0;
  std::optional<SurwStrategy> strategy_;
  std::optional<SurwProfile> profile_;
};

std::unique_ptr<ScheduleSearch> make_surw_search(const SearchParams &params);

} // namespace interlace::detail
