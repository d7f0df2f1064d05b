#include "searches/dpor.hpp"

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <ranges>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cooperative_strategy.hpp"

namespace interlace::detail {
namespace {

using rt::EventKind;

// A location the step touches.
struct Access {
  std::uintptr_t addr = 0;
  std::uint32_t size = 0;
  bool write = false;

  bool operator==(const Access &) const = default;
};

// One executed step as the reduction sees it; for cooperative tasks, one run of a task between
// two switch points, named by its first step (see `block`).
struct Step {
  int thread = -1; // -1: no step was taken here (the execution was discarded at this point)
  EventKind kind = EventKind::Start;
  bool try_lock = false;    // a Lock or ReadLock that fails instead of blocking
  bool writes = true;       // for an Rmw: it changed the memory (a failed CAS only reads)
  bool resumes = false;     // the thread blocked on this step before: this is its retry
  bool lock_blocks = false; // a Lock on a mutex another thread holds: it will block
  std::uint32_t size = 0;
  std::uintptr_t addr = 0;
  int spawned = -1; // for a Spawn (or a run): the thread it created, when known
  // A run of several steps: what all of them touch (a read-modify-write inside counts as a
  // write). Empty for a single step, whose accesses follow from its kind.
  std::vector<Access> block;
};

// A location no object has (addresses 1 .. 7 are never an object's): every lock operation
// reads it and every condvar wait writes it, since a wait releases a mutex it does not name.
constexpr std::uintptr_t kLockFamily = 1;

std::size_t accesses_of(const Step &step, std::array<Access, 2> &out) {
  switch (step.kind) {
  case EventKind::Read:
    out[0] = {step.addr, std::max<std::uint32_t>(step.size, 1), false};
    return 1;
  case EventKind::Write:
    out[0] = {step.addr, std::max<std::uint32_t>(step.size, 1), true};
    return 1;
  case EventKind::Rmw:
    out[0] = {step.addr, std::max<std::uint32_t>(step.size, 1), step.writes};
    return 1;
  case EventKind::Lock:
  case EventKind::ReadLock:
  case EventKind::Unlock:
    out[0] = {step.addr, 1, true};
    out[1] = {kLockFamily, 1, false};
    return 2;
  case EventKind::Wait:
    if (step.size > 0) { // a futex wait reads its word
      out[0] = {step.addr, step.size, true};
      return 1;
    }
    out[0] = {step.addr, 1, true};
    out[1] = {kLockFamily, 1, true};
    return 2;
  case EventKind::Notify:
  case EventKind::Once:
    out[0] = {step.addr, 1, true};
    return 1;
  case EventKind::Start:
  case EventKind::Spawn:
  case EventKind::Join:
  case EventKind::Detach:
  case EventKind::Finish:
  case EventKind::Fence:
  case EventKind::Sleep:
  case EventKind::Marker:
  case EventKind::Switch:
    return 0;
  }
  return 0;
}

// What `step` touches: its run's accesses, or its own (written into `scratch`).
std::span<const Access> accesses(const Step &step, std::array<Access, 2> &scratch) {
  if (!step.block.empty()) {
    return step.block;
  }
  return std::span<const Access>(scratch.data(), accesses_of(step, scratch));
}

bool dependent(const Step &a, const Step &b) {
  if (a.thread == b.thread) {
    return true;
  }
  std::array<Access, 2> left_scratch{};
  std::array<Access, 2> right_scratch{};
  const std::span<const Access> left = accesses(a, left_scratch);
  const std::span<const Access> right = accesses(b, right_scratch);
  for (const Access &x : left) {
    for (const Access &y : right) {
      if ((x.write || y.write) && x.addr < y.addr + y.size && y.addr < x.addr + x.size) {
        return true;
      }
    }
  }
  return false;
}

// Adds `more` to a run's accesses, once per location (a write absorbs a read).
void add_accesses(std::vector<Access> &block, std::span<const Access> more) {
  for (const Access &access : more) {
    const auto same = std::ranges::find_if(block, [&](const Access &known) {
      return known.addr == access.addr && known.size == access.size;
    });
    if (same == block.end()) {
      block.push_back(access);
    } else {
      same->write = same->write || access.write;
    }
  }
}

// A wakeup tree: the sequences still to explore from one state, sharing their prefixes.
struct WakeupNode {
  Step step;
  std::vector<std::unique_ptr<WakeupNode>> children;
};
using Forest = std::vector<std::unique_ptr<WakeupNode>>;

// One state of the current execution: the step taken from it, the threads asleep in it, and
// the branches from it still to explore.
struct Node {
  Step step;
  std::vector<Step> sleep;
  Forest wakeups;
  int preemptions = 0; // in the execution up to and including this node's step
};

// p is a weak initial of v: v can start with p's step (its first step in v commutes with
// everything before it), or p is not in v and its next step commutes with all of v.
bool weak_initial(const Step &p, std::span<const Step> v) {
  for (std::size_t j = 0; j < v.size(); ++j) {
    if (v[j].thread == p.thread) {
      for (std::size_t l = 0; l < j; ++l) {
        if (dependent(v[l], v[j])) {
          return false;
        }
      }
      return true;
    }
  }
  return std::ranges::none_of(v, [&](const Step &step) { return dependent(step, p); });
}

// Puts v in the wakeup tree `forest` unless a sequence there already starts it (JACM 2017,
// the insert operation): follow the first child that is a weak initial of what is left of v;
// a leaf reached that way covers v.
void insert(Forest &forest, std::vector<Step> v) {
  Forest *level = &forest;
  while (!v.empty()) {
    WakeupNode *match = nullptr;
    for (const std::unique_ptr<WakeupNode> &child : *level) {
      if (weak_initial(child->step, v)) {
        match = child.get();
        const auto own = std::ranges::find_if(
            v, [&](const Step &step) { return step.thread == child->step.thread; });
        if (own != v.end()) {
          v.erase(own);
        }
        break;
      }
    }
    if (match == nullptr) {
      break;
    }
    if (match->children.empty()) {
      return;
    }
    level = &match->children;
  }
  if (v.empty()) {
    return;
  }
  std::unique_ptr<WakeupNode> chain;
  for (const Step &step : std::views::reverse(v)) {
    auto node = std::make_unique<WakeupNode>();
    node->step = step;
    if (chain) {
      node->children.push_back(std::move(chain));
    }
    chain = std::move(node);
  }
  level->push_back(std::move(chain));
}

// The bytes of an Rmw's target before it executes, to tell afterwards whether it wrote. Read
// while every managed thread is parked; the access is the program's own, so a sanitizer is
// told not to check it again.
__attribute__((no_sanitize("address", "thread", "memory"))) std::uint64_t peek(std::uintptr_t addr,
                                                                               std::uint32_t size) {
  std::uint64_t value = 0;
  const auto *bytes = reinterpret_cast<const volatile unsigned char *>(addr); // NOLINT
  for (std::uint32_t i = 0; i < size; ++i) {
    value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  }
  return value;
}

// Stable names for locations inside known objects (see DporSearch::canonical): a tag no user
// address has, the object's id, and the offset in it.
constexpr std::uintptr_t kObjectTag = std::uintptr_t{1} << 63;
constexpr int kObjectShift = 32;
constexpr std::uint64_t kSetupObjects = 1;
constexpr std::uint64_t kRunObjects = std::uint64_t{1} << 20;

// Per-byte history for race detection: the last write, and each thread's latest read since.
struct ByteHistory {
  int last_write = -1;
  std::vector<int> reads;
};

class DporSearch final : public ScheduleSearch, public rt::Strategy, public BlockStepObserver {
public:
  explicit DporSearch(const SearchParams &params) : params_(params) {}

  Search kind() const override { return Search::dpor; }
  rt::Strategy *next_strategy() override;
  void observe(const ExecutionResult &result) override;
  bool exhaustive() const override { return done_ && !approximate_; }

private:
  // --- Strategy: one execution ---
  void begin() override;
  std::optional<int> next(const rt::Decision &decision) override;
  std::size_t choose_waiter(const rt::WakeDecision &decision) override;
  std::string stop_reason() const override { return stop_reason_; }
  // BlockStepObserver: cooperative tasks, whose runs are the transitions.
  void continues(const rt::Decision &decision, int thread) override;
  void check_replayed_run();
  void take_in(const rt::Decision &decision);

  void map_memory();
  std::uintptr_t canonical(const void *address) const;
  void settle_rmw();
  void note_blocked(const rt::Decision &decision);
  bool enabled(const rt::Decision &decision, int thread) const;
  bool lock_blocks(const rt::Event &event, int thread) const;
  std::optional<int> choose(const rt::Decision &decision, Node &node);
  int discard(std::string reason);
  Step step_of(const rt::Decision &decision, int thread);
  void track_locks(const Step &step);

  // --- Between executions ---
  void detect_races(std::size_t length);
  void reverse(std::size_t first, std::size_t second, std::span<const std::uint32_t> clocks,
               std::size_t threads, std::span<const std::uint32_t> position);
  bool backtrack();
  void report_progress();

  SearchParams params_;
  std::vector<Node> stack_; // the current execution's states, from the first
  std::size_t replay_ = 0;  // the next execution repeats stack_[0 .. replay_) (the last: a branch)
  Forest subtree_;          // the wakeup subtree below that branch
  bool started_ = false;
  bool done_ = false;
  bool approximate_ = false; // something was not explored exhaustively (see dpor.hpp)
  std::uint64_t executions_ = 0;

  // The execution under way.
  std::size_t depth_ = 0;                                           // steps taken
  std::unordered_map<std::uintptr_t, std::pair<int, int>> holders_; // lock -> (thread, count)
  std::vector<char> blocked_;   // by thread: it blocked since its last step
  std::vector<char> candidate_; // by thread, at the current decision
  std::optional<std::uint64_t> rmw_before_;
  std::uintptr_t rmw_address_ = 0;
  // The execution's known objects by start address: (end, stable id). A location inside one
  // is named by the id and the offset, the same in every execution.
  std::map<std::uintptr_t, std::pair<std::uintptr_t, std::uint64_t>> objects_;
  std::size_t run_allocations_seen_ = 0;
  // Addresses outside every known object that the replayed prefix showed at another address
  // in the execution that recorded it: this execution's address -> the recorded one.
  std::unordered_map<std::uintptr_t, std::uintptr_t> relocated_;
  std::size_t threads_before_ = 0;
  std::string stop_reason_;
  std::vector<Access> replayed_run_; // what the run being replayed touched when recorded
  bool check_run_ = false;           // compare it with what it touches now

  std::chrono::steady_clock::time_point started_at_;
  std::chrono::steady_clock::time_point last_progress_;
};

rt::Strategy *DporSearch::next_strategy() {
  if (done_) {
    return nullptr;
  }
  if (!started_) {
    started_ = true;
    started_at_ = std::chrono::steady_clock::now();
    last_progress_ = started_at_;
  }
  return this;
}

void DporSearch::begin() {
  check_run_ = false;
  objects_.clear();
  relocated_.clear();
  run_allocations_seen_ = 0;
  if (const MemoryLayout *memory = params_.memory) {
    if (memory->state != nullptr) {
      const auto start = reinterpret_cast<std::uintptr_t>(memory->state);
      objects_[start] = {start + memory->state_size, 0};
    }
    if (memory->setup != nullptr) {
      for (std::size_t i = 0; i < memory->setup->size(); ++i) {
        const rt::Allocation &allocation = (*memory->setup)[i];
        const auto start = reinterpret_cast<std::uintptr_t>(allocation.address);
        objects_.try_emplace(start, start + allocation.size, kSetupObjects + i);
      }
    }
  }
  depth_ = 0;
  holders_.clear();
  blocked_.clear();
  rmw_before_.reset();
  threads_before_ = 0;
  stop_reason_.clear();
}

std::size_t DporSearch::choose_waiter(const rt::WakeDecision &decision) {
  (void)decision;
  approximate_ = true; // only the first waiter is explored
  return 0;
}

// Takes in the allocations the threads made since the last decision; one that reuses freed
// memory replaces the objects it overlaps.
void DporSearch::map_memory() {
  if (params_.memory == nullptr || params_.memory->run == nullptr) {
    return;
  }
  const std::vector<rt::Allocation> &run = *params_.memory->run;
  for (; run_allocations_seen_ < run.size(); ++run_allocations_seen_) {
    const rt::Allocation &allocation = run[run_allocations_seen_];
    const auto start = reinterpret_cast<std::uintptr_t>(allocation.address);
    const std::uintptr_t end = start + std::max<std::uint64_t>(allocation.size, 1);
    auto first = objects_.lower_bound(start);
    if (first != objects_.begin() && std::prev(first)->second.first > start) {
      --first;
    }
    auto last = objects_.lower_bound(end);
    objects_.erase(first, last);
    objects_[start] = {end, kRunObjects + run_allocations_seen_};
  }
}

std::uintptr_t DporSearch::canonical(const void *address) const {
  const auto raw = reinterpret_cast<std::uintptr_t>(address);
  auto found = objects_.upper_bound(raw);
  if (found == objects_.begin() || raw >= std::prev(found)->second.first) {
    const auto moved = relocated_.find(raw);
    return moved != relocated_.end() ? moved->second : raw;
  }
  --found;
  return kObjectTag | (found->second.second << kObjectShift) | (raw - found->first);
}

void DporSearch::settle_rmw() {
  if (rmw_before_ && depth_ > 0) {
    Step &step = stack_[depth_ - 1].step;
    step.writes = peek(rmw_address_, step.size) != *rmw_before_;
  }
  rmw_before_.reset();
}

// A thread that is neither runnable nor finished has blocked: its next step retries.
void DporSearch::note_blocked(const rt::Decision &decision) {
  const std::size_t threads = decision.pending.size();
  candidate_.assign(threads, 0);
  for (const int id : decision.candidates) {
    candidate_[static_cast<std::size_t>(id)] = 1;
  }
  blocked_.resize(threads, 0);
  for (std::size_t id = 0; id < threads; ++id) {
    if (candidate_[id] == 0 && decision.pending[id].kind != EventKind::Finish) {
      blocked_[id] = 1;
    }
  }
}

bool DporSearch::lock_blocks(const rt::Event &event, int thread) const {
  if (event.kind != EventKind::Lock || event.size != 0) {
    return false;
  }
  const auto held = holders_.find(canonical(event.addr));
  return held != holders_.end() && held->second.first != thread;
}

bool DporSearch::enabled(const rt::Decision &decision, int thread) const {
  return thread >= 0 && static_cast<std::size_t>(thread) < candidate_.size() &&
         candidate_[static_cast<std::size_t>(thread)] != 0 &&
         !lock_blocks(decision.pending[static_cast<std::size_t>(thread)], thread);
}

int DporSearch::discard(std::string reason) {
  stop_reason_ = std::move(reason);
  return kDiscard;
}

Step DporSearch::step_of(const rt::Decision &decision, int thread) {
  const rt::Event &event = decision.pending[static_cast<std::size_t>(thread)];
  Step step;
  step.thread = thread;
  step.kind = event.kind;
  step.addr = canonical(event.addr);
  step.size = event.size;
  step.try_lock =
      (event.kind == EventKind::Lock || event.kind == EventKind::ReadLock) && event.size != 0;
  step.resumes = blocked_[static_cast<std::size_t>(thread)] != 0;
  step.lock_blocks = lock_blocks(event, thread);
  blocked_[static_cast<std::size_t>(thread)] = 0;
  return step;
}

// Who holds which mutex, as far as the steps show: a thread is not started on a lock another
// holds (it would only block there).
void DporSearch::track_locks(const Step &step) {
  switch (step.kind) {
  case EventKind::Lock: {
    auto [held, fresh] = holders_.try_emplace(step.addr, step.thread, 0);
    if (held->second.first == step.thread) {
      ++held->second.second;
    } else if (fresh) {
      held->second.second = 1;
    }
    break;
  }
  case EventKind::Unlock: {
    const auto held = holders_.find(step.addr);
    if (held != holders_.end() && held->second.first == step.thread && --held->second.second <= 0) {
      holders_.erase(held);
    }
    break;
  }
  case EventKind::Wait:
    if (step.size == 0) { // a condvar wait releases its mutex
      std::erase_if(holders_, [&](const auto &held) { return held.second.first == step.thread; });
    }
    break;
  default:
    break;
  }
}

// What every decision shows, asked (next) or not (continues): new allocations, the last
// read-modify-write's effect, who blocked, and a thread the last step (or run) started.
void DporSearch::take_in(const rt::Decision &decision) {
  map_memory();
  settle_rmw();
  note_blocked(decision);
  if (depth_ > 0 && decision.pending.size() > threads_before_) {
    stack_[depth_ - 1].step.spawned = static_cast<int>(decision.pending.size()) - 1;
  }
  threads_before_ = decision.pending.size();
}

std::optional<int> DporSearch::next(const rt::Decision &decision) {
  take_in(decision);
  const std::size_t k = depth_;
  int thread = -1;
  check_replayed_run();
  if (k < replay_) {
    const Node &node = stack_[k];
    thread = node.step.thread;
    if (k + 1 < replay_ && !node.step.block.empty()) {
      // A run of the prefix must repeat what it touched (the branch's own run may not: it
      // runs after other steps than it did).
      replayed_run_ = node.step.block;
      check_run_ = true;
    }
    const auto same_step = [&] {
      const rt::Event &event = decision.pending[static_cast<std::size_t>(thread)];
      if (event.kind != node.step.kind) {
        return false;
      }
      const std::uintptr_t now = canonical(event.addr);
      if (now == node.step.addr) {
        return true;
      }
      if ((now & kObjectTag) != 0 || (node.step.addr & kObjectTag) != 0) {
        return false;
      }
      // Memory of no known object (an allocation the pass did not see) moved: name it as the
      // prefix did from here on; the search can no longer promise to be exhaustive.
      relocated_[reinterpret_cast<std::uintptr_t>(event.addr)] = node.step.addr;
      approximate_ = true;
      return true;
    };
    const bool same = thread >= 0 && static_cast<std::size_t>(thread) < candidate_.size() &&
                      candidate_[static_cast<std::size_t>(thread)] != 0 && same_step();
    if (!same) {
      // The code did not repeat itself under the same schedule: what lies past here is
      // not known to be covered.
      approximate_ = true;
      stack_.resize(k + 1);
      stack_[k].step.thread = -1;
      return discard("the execution did not repeat its prefix at step " + std::to_string(k));
    }
    if (k + 1 == replay_ && !enabled(decision, thread)) {
      stack_.resize(k + 1);
      stack_[k].step.thread = -1;
      return discard("the branch's first step cannot run");
    }
  } else {
    Node node;
    if (k > 0) {
      const Node &parent = stack_[k - 1];
      for (const Step &asleep : parent.sleep) {
        if (!dependent(asleep, parent.step)) {
          node.sleep.push_back(asleep);
        }
      }
      node.preemptions = parent.preemptions;
    }
    node.wakeups = std::move(subtree_);
    subtree_.clear();
    stack_.push_back(std::move(node));
    const std::optional<int> chosen = choose(decision, stack_.back());
    if (!chosen) {
      return discard(stop_reason_);
    }
    thread = *chosen;
  }

  Node &node = stack_[k];
  const int previous = k > 0 ? stack_[k - 1].step.thread : -1;
  const bool preempts =
      previous >= 0 && previous != thread && decision.current == previous &&
      std::ranges::find(decision.candidates, previous) != decision.candidates.end();
  node.preemptions = (k > 0 ? stack_[k - 1].preemptions : 0) + (preempts ? 1 : 0);
  node.step = step_of(decision, thread);
  track_locks(node.step);
  const rt::Event &event = decision.pending[static_cast<std::size_t>(thread)];
  if (event.kind == EventKind::Rmw && event.addr != nullptr && event.size > 0 && event.size <= 8) {
    rmw_address_ = reinterpret_cast<std::uintptr_t>(event.addr);
    rmw_before_ = peek(rmw_address_, event.size);
  }
  ++depth_;
  return thread;
}

// A replayed run that touched other objects than it did in the execution that recorded it: the
// code is not deterministic within its runs, and what lies past here is not known to be
// covered. (Memory outside every known object, a thread's stack, is named by its address,
// which may change from one execution to the next without meaning anything.)
void DporSearch::check_replayed_run() {
  if (check_run_ && depth_ > 0) {
    const auto in_objects = [](const std::vector<Access> &run) {
      std::vector<Access> known;
      std::ranges::copy_if(run, std::back_inserter(known),
                           [](const Access &access) { return (access.addr & kObjectTag) != 0; });
      return known;
    };
    if (in_objects(stack_[depth_ - 1].step.block) != in_objects(replayed_run_)) {
      approximate_ = true;
    }
  }
  check_run_ = false;
}

// A task's run goes on: its step joins the run's accesses (the run began at the last next()).
void DporSearch::continues(const rt::Decision &decision, int thread) {
  take_in(decision);
  if (depth_ == 0) {
    return;
  }
  Step &run = stack_[depth_ - 1].step;
  std::array<Access, 2> scratch{};
  if (run.block.empty()) {
    add_accesses(run.block, accesses(run, scratch));
  }
  const Step step = step_of(decision, thread);
  track_locks(step);
  add_accesses(run.block, accesses(step, scratch));
}

// A new state's step: the first branch of its wakeup tree, else a thread not asleep (the
// running one when it can go on, so that free choices add no preemption).
std::optional<int> DporSearch::choose(const rt::Decision &decision, Node &node) {
  if (!node.wakeups.empty()) {
    std::unique_ptr<WakeupNode> branch = std::move(node.wakeups.front());
    node.wakeups.erase(node.wakeups.begin());
    subtree_ = std::move(branch->children);
    node.step = branch->step;
    if (!enabled(decision, branch->step.thread)) {
      node.step.thread = -1;
      stop_reason_ = "a wakeup sequence's step cannot run";
      return std::nullopt;
    }
    return branch->step.thread;
  }
  const auto asleep = [&](int thread) {
    return std::ranges::any_of(node.sleep, [&](const Step &step) { return step.thread == thread; });
  };
  bool any_enabled = false;
  for (const int thread : decision.candidates) {
    if (enabled(decision, thread)) {
      any_enabled = true;
      if (!asleep(thread)) {
        return thread;
      }
    }
  }
  if (!any_enabled) {
    // Every runnable thread waits for a lock as far as the steps tell: let the runtime show
    // what happens (it blocks, and a deadlock is reported as one).
    return decision.candidates.front();
  }
  node.step.thread = -1;
  stop_reason_ = "every thread that can run is asleep: the execution is redundant";
  return std::nullopt;
}

void DporSearch::observe(const ExecutionResult &result) {
  ++executions_;
  check_replayed_run();
  rmw_before_.reset(); // the last step's effect is unknown: it counts as a write
  std::size_t length = depth_;
  if (stack_.size() > length + 1 ||
      (stack_.size() == length + 1 && stack_[length].step.thread >= 0)) {
    // The run ended before the replayed prefix did: the code did not repeat itself.
    approximate_ = approximate_ || !result.failed;
    stack_.resize(length);
  }
  length = std::min(length, stack_.size());
  detect_races(length);
  done_ = !backtrack();
  report_progress();
}

// Vector clocks over the execution's steps: clock[i * threads + t] counts thread t's steps
// that happen before step i or are step i.
void DporSearch::detect_races(std::size_t length) {
  std::size_t threads = 0;
  for (std::size_t i = 0; i < length; ++i) {
    threads = std::max(threads, static_cast<std::size_t>(stack_[i].step.thread) + 1);
    threads = std::max(threads, static_cast<std::size_t>(stack_[i].step.spawned + 1));
  }
  if (threads == 0) {
    return;
  }
  std::vector<std::uint32_t> clocks(length * threads, 0);
  std::vector<std::uint32_t> position(length, 0);
  std::vector<int> last_of(threads, -1);
  std::vector<int> spawned_by(threads, -1);
  std::unordered_map<std::uintptr_t, ByteHistory> bytes;
  std::unordered_map<std::uintptr_t, int> last_acquire;
  std::vector<int> candidates;
  std::vector<std::pair<std::size_t, std::size_t>> races;
  std::vector<std::uint32_t> base(threads);
  const auto happens_before = [&](std::size_t event, const std::uint32_t *clock) {
    return clock[stack_[event].step.thread] >= position[event];
  };

  for (std::size_t i = 0; i < length; ++i) {
    const Step &step = stack_[i].step;
    const auto thread = static_cast<std::size_t>(step.thread);
    std::uint32_t *clock = &clocks[i * threads];
    std::ranges::fill(base, 0);
    if (last_of[thread] >= 0) {
      const std::uint32_t *previous = &clocks[static_cast<std::size_t>(last_of[thread]) * threads];
      std::copy(previous, previous + threads, base.begin());
    } else if (spawned_by[thread] >= 0) {
      const std::uint32_t *parent = &clocks[static_cast<std::size_t>(spawned_by[thread]) * threads];
      std::copy(parent, parent + threads, base.begin());
    }
    position[i] =
        (last_of[thread] >= 0 ? position[static_cast<std::size_t>(last_of[thread])] : 0) + 1;

    // The dependent steps before this one that no other of them follows.
    candidates.clear();
    std::array<Access, 2> scratch{};
    const std::span<const Access> touched = accesses(step, scratch);
    for (const Access &access : touched) {
      for (std::uintptr_t byte = access.addr; byte < access.addr + access.size; ++byte) {
        const auto found = bytes.find(byte);
        if (found == bytes.end()) {
          continue;
        }
        const ByteHistory &history = found->second;
        if (access.write && !history.reads.empty()) {
          candidates.insert(candidates.end(), history.reads.begin(), history.reads.end());
        } else if (history.last_write >= 0) {
          candidates.push_back(history.last_write);
        }
      }
    }
    std::ranges::sort(candidates);
    candidates.erase(std::ranges::unique(candidates).begin(), candidates.end());

    std::ranges::copy(base, clock);
    for (const int candidate : candidates) {
      const std::uint32_t *other = &clocks[static_cast<std::size_t>(candidate) * threads];
      for (std::size_t t = 0; t < threads; ++t) {
        clock[t] = std::max(clock[t], other[t]);
      }
    }
    clock[thread] = position[i];

    const bool acquires = step.kind == EventKind::Lock && !step.lock_blocks;
    if (!step.resumes) {
      for (const int candidate : candidates) {
        const auto c = static_cast<std::size_t>(candidate);
        const Step &earlier = stack_[c].step;
        if (earlier.thread == step.thread || happens_before(c, base.data())) {
          continue;
        }
        if (acquires && !step.try_lock && earlier.kind == EventKind::Unlock &&
            earlier.addr == step.addr) {
          continue; // the acquisition cannot overtake the release: see below
        }
        const bool covered = std::ranges::any_of(candidates, [&](int other) {
          return other != candidate &&
                 happens_before(c, &clocks[static_cast<std::size_t>(other) * threads]);
        });
        if (!covered) {
          races.emplace_back(c, i);
        }
      }
      if (acquires && !step.try_lock) {
        const auto previous = last_acquire.find(step.addr);
        if (previous != last_acquire.end()) {
          const auto c = static_cast<std::size_t>(previous->second);
          if (stack_[c].step.thread != step.thread && !happens_before(c, base.data())) {
            races.emplace_back(c, i);
          }
        }
      }
    }
    if (acquires) {
      last_acquire[step.addr] = static_cast<int>(i);
    }

    for (const Access &access : touched) {
      for (std::uintptr_t byte = access.addr; byte < access.addr + access.size; ++byte) {
        ByteHistory &history = bytes[byte];
        if (access.write) {
          history.last_write = static_cast<int>(i);
          history.reads.clear();
        } else {
          std::erase_if(history.reads,
                        [&](int read) { return stack_[read].step.thread == step.thread; });
          history.reads.push_back(static_cast<int>(i));
        }
      }
    }
    if (step.spawned >= 0 && static_cast<std::size_t>(step.spawned) < threads) {
      spawned_by[static_cast<std::size_t>(step.spawned)] = static_cast<int>(i);
    }
    last_of[thread] = static_cast<int>(i);
  }

  for (const auto &[first, second] : races) {
    reverse(first, second, clocks, threads, position);
  }
}

// Schedules, from the state before `first`, the steps that do not depend on it and then
// `second`: the race's other order.
void DporSearch::reverse(std::size_t first, std::size_t second,
                         std::span<const std::uint32_t> clocks, std::size_t threads,
                         std::span<const std::uint32_t> position) {
  const int racer = stack_[first].step.thread;
  std::vector<Step> v;
  for (std::size_t j = first + 1; j < second; ++j) {
    if (clocks[j * threads + static_cast<std::size_t>(racer)] < position[first]) {
      v.push_back(stack_[j].step);
    }
  }
  v.push_back(stack_[second].step);
  Node &node = stack_[first];
  if (std::ranges::any_of(node.sleep,
                          [&](const Step &asleep) { return weak_initial(asleep, v); })) {
    return;
  }
  if (params_.preemption_bound) {
    int preemptions = first > 0 ? stack_[first - 1].preemptions : 0;
    int previous = first > 0 ? stack_[first - 1].step.thread : -1;
    for (const Step &step : v) {
      if (previous >= 0 && step.thread != previous) {
        ++preemptions;
      }
      previous = step.thread;
    }
    if (preemptions > *params_.preemption_bound) {
      return; // beyond the bound: the verdict names the bound it was exhaustive within
    }
  }
  insert(node.wakeups, std::move(v));
}

// Moves to the deepest state with a branch left: its step so far goes to sleep there.
bool DporSearch::backtrack() {
  while (!stack_.empty()) {
    Node &node = stack_.back();
    if (!node.wakeups.empty()) {
      if (node.step.thread >= 0) {
        node.sleep.push_back(node.step);
      }
      std::unique_ptr<WakeupNode> branch = std::move(node.wakeups.front());
      node.wakeups.erase(node.wakeups.begin());
      node.step = branch->step;
      subtree_ = std::move(branch->children);
      replay_ = stack_.size();
      return true;
    }
    stack_.pop_back();
  }
  return false;
}

// A line on stderr every few seconds once a search has run for a while.
void DporSearch::report_progress() {
  constexpr auto kQuiet = std::chrono::seconds(3);
  constexpr auto kEvery = std::chrono::seconds(2);
  const auto now = std::chrono::steady_clock::now();
  if (now - started_at_ < kQuiet || now - last_progress_ < kEvery) {
    return;
  }
  last_progress_ = now;
  const double seconds = std::chrono::duration<double>(now - started_at_).count();
  std::fprintf(stderr, "interlace: dpor: %llu executions in %.0f s (%.0f/s), depth %zu\n",
               static_cast<unsigned long long>(executions_), seconds,
               static_cast<double>(executions_) / seconds, stack_.size());
}

} // namespace

std::unique_ptr<ScheduleSearch> make_dpor_search(const SearchParams &params) {
  return std::make_unique<DporSearch>(params);
}

} // namespace interlace::detail
