#include "classification.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "source_text.hpp"
#include "trace_model.hpp"

namespace interlace::detail {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Use {
  std::size_t step;
  int thread;
  bool reads;  // a plain read (an atomic read-modify-write cannot lose an update)
  bool writes; // a write or a read-modify-write
};

std::string where(const rt::StepRecord &step) {
  return step.event.site != nullptr ? short_location(*step.event.site) : std::string("?");
}

std::string thread_name(int thread) { return "thread " + std::to_string(thread); }

// A third-party library's code made the access (INTERLACE_SITE_LIBRARY_CODE on the access's own
// site, which in_user_code moved to Event::call when it showed the user's call instead).
bool by_library_code(const rt::Event &event) {
  const interlace_site *own = event.call != nullptr ? event.call : event.site;
  return own != nullptr && (own->flags & INTERLACE_SITE_LIBRARY_CODE) != 0;
}

// A pattern on one location's uses. Of all the instances of a kind there, the one with the
// earliest `at`, and among those the first by its uses (`first`, then `second`): the sentence
// names its uses, so ties must break the same way every time.
struct Candidate {
  RaceKind kind;
  std::size_t at; // lost update and atomicity violation: an index into the location's uses;
                  // order violation and write-write: a step of the trace
  std::size_t first;
  std::size_t second;
  std::size_t third; // atomicity violation: the second read
};

// Everything below runs in O(n log n) in the location's uses.
class Location {
public:
  // `waiters`: the threads that waited on this location (a futex wait: atomic::wait, a
  // semaphore), which re-read it by design.
  Location(const std::vector<Use> &uses, const std::set<int> &waiters)
      : uses_(uses), slot_(uses.size()), waiters_(waiters) {
    std::unordered_map<int, std::size_t> slots;
    for (std::size_t p = 0; p < uses_.size(); ++p) {
      slot_[p] = slots.try_emplace(uses_[p].thread, slots.size()).first->second;
    }
    threads_ = slots.size();
  }

  std::vector<Candidate> patterns() const {
    std::vector<Candidate> found;
    for (const auto &candidate :
         {lost_update(), atomicity_violation(), order_violation(), write_write()}) {
      if (candidate) {
        found.push_back(*candidate);
      }
    }
    return found;
  }

private:
  // Threads a and b read (a first, no write between), then each wrote: at is the later of
  // their first writes after b's read. Between two writes, the reads form a run; the first write
  // of a thread after any read of a run is its first write after the run. So a pair of threads
  // (u, v) of a run forms a lost update when u read before v's last read of the run, or v before
  // u's, and both wrote after it.
  std::optional<Candidate> lost_update() const {
    const std::size_t n = uses_.size();
    std::vector<std::size_t> next_write(n, kNone); // for a read: its thread's next write
    std::vector<std::size_t> next_by_thread(threads_, kNone);
    for (std::size_t p = n; p-- > 0;) {
      if (uses_[p].writes) {
        next_by_thread[slot_[p]] = p;
      } else {
        next_write[p] = next_by_thread[slot_[p]];
      }
    }
    // The smallest at of each run, by the run's start.
    struct Seen {
      std::size_t first;
      std::size_t last;
      std::size_t write;
    };
    std::vector<Seen> seen(threads_);
    std::vector<std::size_t> stamp(threads_, kNone);
    std::vector<std::size_t> members;
    std::size_t best = kNone;
    std::size_t best_run = kNone;
    for (std::size_t start = 0; start < n;) {
      if (uses_[start].writes) {
        ++start;
        continue;
      }
      std::size_t end = start;
      members.clear();
      for (; end < n && !uses_[end].writes; ++end) {
        const std::size_t t = slot_[end];
        if (next_write[end] == kNone) {
          continue; // this thread never writes again: it takes part in no lost update
        }
        if (stamp[t] != start) {
          stamp[t] = start;
          seen[t] = Seen{end, end, next_write[end]};
          members.push_back(t);
        }
        seen[t].last = end;
      }
      // By first write after the run (distinct threads' writes are distinct uses): the first
      // thread that pairs with one whose write comes earlier completes the run's earliest.
      std::ranges::sort(members, {}, [&](std::size_t t) { return seen[t].write; });
      std::size_t min_first = kNone;
      std::size_t max_last = 0;
      bool any = false;
      for (const std::size_t t : members) {
        if (any && (min_first < seen[t].last || seen[t].first < max_last)) {
          if (seen[t].write < best) {
            best = seen[t].write;
            best_run = start;
          }
          break;
        }
        min_first = std::min(min_first, seen[t].first);
        max_last = std::max(max_last, seen[t].last);
        any = true;
      }
      start = end;
    }
    if (best == kNone) {
      return std::nullopt;
    }
    // The first pair at `best`, by (a, b), in the first run that has one: it pairs the thread
    // that wrote at `best` with a thread of the run whose write is earlier.
    const std::size_t star = slot_[best];
    std::size_t end = best_run;
    while (end < n && !uses_[end].writes) {
      ++end;
    }
    const auto good = [&](std::size_t p) {
      return slot_[p] != star && next_write[p] != kNone && next_write[p] < best;
    };
    std::size_t next_star = kNone; // the next read of `star` after p, in the run
    std::size_t next_good = kNone;
    std::vector<std::size_t> partner(end - best_run, kNone);
    for (std::size_t p = end; p-- > best_run;) {
      if (slot_[p] == star && next_write[p] == best) {
        partner[p - best_run] = next_good;
        next_star = p;
      } else if (good(p)) {
        partner[p - best_run] = next_star;
        next_good = p;
      }
    }
    for (std::size_t p = best_run; p < end; ++p) {
      if (partner[p - best_run] != kNone) {
        return Candidate{RaceKind::LostUpdate, best, p, partner[p - best_run], 0};
      }
    }
    return std::nullopt; // unreachable: the run has a pair at `best`
  }

  // A thread read (first), another thread wrote (second), the first thread read again (third, at
  // = third). For one first read, the earliest other thread's write after it gives the earliest
  // second read.
  std::optional<Candidate> atomicity_violation() const {
    const std::size_t n = uses_.size();
    std::vector<std::vector<std::size_t>> reads(threads_);
    for (std::size_t p = 0; p < n; ++p) {
      if (uses_[p].reads) {
        reads[slot_[p]].push_back(p);
      }
    }
    const std::vector<std::size_t> other = other_thread_write_after();
    std::optional<Candidate> best;
    for (std::size_t p = 0; p < n; ++p) {
      // A thread that waits on the location reads it again after another thread's write
      // because that write is what it waited for (a publish through atomic::wait/notify).
      if (!uses_[p].reads || other[p] == kNone || waiters_.contains(uses_[p].thread)) {
        continue;
      }
      const std::vector<std::size_t> &mine = reads[slot_[p]];
      const auto again = std::ranges::upper_bound(mine, other[p]);
      if (again != mine.end() && (!best || *again < best->at)) {
        best = Candidate{RaceKind::AtomicityViolation, *again, p, other[p], *again};
      }
    }
    return best;
  }

  // The first use is a plain read, and another thread writes later (at: that write's step).
  std::optional<Candidate> order_violation() const {
    // A thread that waits on the location reads it first by design.
    if (uses_.empty() || !uses_.front().reads || uses_.front().writes ||
        waiters_.contains(uses_.front().thread)) {
      return std::nullopt;
    }
    for (std::size_t p = 0; p < uses_.size(); ++p) {
      if (uses_[p].writes && uses_[p].thread != uses_.front().thread) {
        return Candidate{RaceKind::OrderViolation, uses_[p].step, 0, p, 0};
      }
    }
    return std::nullopt;
  }

  // The first write that another thread's write follows, and the first such follower.
  std::optional<Candidate> write_write() const {
    const std::vector<std::size_t> other = other_thread_write_after();
    for (std::size_t p = 0; p < uses_.size(); ++p) {
      if (uses_[p].writes && other[p] != kNone) {
        return Candidate{RaceKind::WriteWrite, uses_[other[p]].step, p, other[p], 0};
      }
    }
    return std::nullopt;
  }

  // For each use: the first write after it by a thread other than its own.
  std::vector<std::size_t> other_thread_write_after() const {
    std::vector<std::size_t> result(uses_.size(), kNone);
    std::size_t nearest = kNone;   // the first write after p
    std::size_t different = kNone; // the first write after p by another thread than nearest's
    for (std::size_t p = uses_.size(); p-- > 0;) {
      if (nearest != kNone) {
        result[p] = slot_[nearest] != slot_[p] ? nearest : different;
      }
      if (uses_[p].writes) {
        if (nearest != kNone && slot_[nearest] != slot_[p]) {
          different = nearest;
        }
        nearest = p;
      }
    }
    return result;
  }

  const std::vector<Use> &uses_;
  std::vector<std::size_t> slot_; // dense thread numbers
  const std::set<int> &waiters_;
  std::size_t threads_ = 0;
};

std::string sentence(const Candidate &candidate, const std::vector<Use> &uses,
                     std::span<const rt::StepRecord> trace, const std::string &object) {
  const auto thread = [&](std::size_t use) { return thread_name(uses[use].thread); };
  const auto at = [&](std::size_t use) { return where(trace[uses[use].step]); };
  const std::size_t a = candidate.first;
  const std::size_t b = candidate.second;
  switch (candidate.kind) {
  case RaceKind::LostUpdate:
    return "lost update: " + thread(a) + " and " + thread(b) + " both read " + object + " (" +
           at(a) + ") before either wrote it back.";
  case RaceKind::AtomicityViolation:
    return "atomicity violation: " + thread(a) + " read " + object + " twice (" + at(a) + ", " +
           at(candidate.third) + ") and " + thread(b) + " wrote it in between (" + at(b) + ").";
  case RaceKind::OrderViolation:
    return "order violation: " + thread(a) + " read " + object + " (" + at(a) + ") before " +
           thread(b) + "'s initialising write (" + at(b) + ").";
  case RaceKind::WriteWrite:
    return "write-write conflict: " + thread(a) + " and " + thread(b) + " both wrote " + object +
           " (" + at(a) + ", " + at(b) + "); the last write wins.";
  case RaceKind::CheckThenAct: // worded by classify()
  case RaceKind::None:
    break;
  }
  return std::string();
}

// " (`if (cache.count(key) == 0) {`)": a step's source line, when it can be read.
std::string quoted_source(const rt::StepRecord &step) {
  if (step.event.site == nullptr) {
    return "";
  }
  std::string text = source_line(*step.event.site);
  constexpr std::size_t kMaxQuoted = 60;
  if (text.size() > kMaxQuoted) {
    text = text.substr(0, kMaxQuoted - 3) + "...";
  }
  return text.empty() ? "" : " (`" + text + "`)";
}

bool same_source_line(const rt::StepRecord &a, const rt::StepRecord &b) {
  const interlace_site *x = a.event.site;
  const interlace_site *y = b.event.site;
  return x == y || (x != nullptr && y != nullptr && x->line == y->line &&
                    std::string_view(x->file) == std::string_view(y->file));
}

// The earliest check-then-act on an object a third-party library's code works on (a
// container, a queue: by_library_code): thread A reads the object at one line (the check),
// another thread writes it, then A uses it at another line (the act).
// By object, not address: the check and the act may touch different words of it (a queue's
// size and its tail).
struct CheckThenAct {
  std::size_t check = kNone; // steps of the trace
  std::size_t change = kNone;
  std::size_t act = kNone;
};

CheckThenAct check_then_act(std::span<const rt::StepRecord> trace) {
  std::map<std::string_view, std::vector<Use>> objects;
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const rt::Event &event = trace[index].event;
    if (!rt::is_memory_access(event.kind) || !by_library_code(event) || event.site == nullptr ||
        event.site->object == nullptr) {
      continue;
    }
    objects[event.site->object].push_back(Use{
        index, trace[index].thread, event.kind == rt::EventKind::Read, rt::is_write(event.kind)});
  }
  CheckThenAct best;
  for (const auto &[object, uses] : objects) {
    for (std::size_t a = 0; a < uses.size(); ++a) {
      if (!uses[a].reads || (best.check != kNone && uses[a].step >= best.check)) {
        continue;
      }
      // The change: another thread's write at another line than the check's (at the check's
      // line it is that thread's own check, which may take the library's internal locks).
      std::size_t w = a + 1;
      while (w < uses.size() && (uses[w].thread == uses[a].thread || !uses[w].writes ||
                                 same_source_line(trace[uses[w].step], trace[uses[a].step]))) {
        ++w;
      }
      std::size_t act = w + 1;
      while (act < uses.size() && uses[act].thread != uses[a].thread) {
        ++act;
      }
      if (act < uses.size() && !same_source_line(trace[uses[a].step], trace[uses[act].step])) {
        best = CheckThenAct{uses[a].step, uses[w].step, uses[act].step};
        break;
      }
    }
  }
  return best;
}

// Async tasks (interlace/asio.hpp) switch only at switch points. A task that read a location
// (the check), passed a switch point (a co_await, or back at its event loop), and used the
// location again (the act) after another task wrote it there, acted on a stale check: the
// classic race of coroutine code. The earliest check wins.
struct AcrossAwait {
  std::size_t check = kNone; // steps of the trace
  std::size_t await = kNone; // the task's switch point between the check and the act
  std::size_t change = kNone;
  std::size_t act = kNone;
};

bool overlaps(const rt::Event &a, const rt::Event &b) {
  const auto start = [](const rt::Event &e) { return reinterpret_cast<std::uintptr_t>(e.addr); };
  return start(a) < start(b) + std::max<std::uint32_t>(b.size, 1) &&
         start(b) < start(a) + std::max<std::uint32_t>(a.size, 1);
}

AcrossAwait check_then_act_across_await(std::span<const rt::StepRecord> trace) {
  // Checks are looked for among the first reads only: the scan after each is linear.
  constexpr std::size_t kMaxChecks = 2000;
  const auto any_switch = std::ranges::any_of(
      trace, [](const rt::StepRecord &step) { return step.event.kind == rt::EventKind::Switch; });
  if (!any_switch) {
    return {};
  }
  std::size_t checks = 0;
  for (std::size_t c = 0; c < trace.size() && checks < kMaxChecks; ++c) {
    const rt::StepRecord &check = trace[c];
    if (check.event.kind != rt::EventKind::Read) {
      continue;
    }
    ++checks;
    std::size_t await = kNone;
    std::size_t change = kNone;
    for (std::size_t i = c + 1; i < trace.size(); ++i) {
      const rt::StepRecord &step = trace[i];
      if (step.thread == check.thread) {
        // The switch point the task stood at while another ran: the trace records it when the
        // task goes on from it, after the other's steps.
        if (step.event.kind == rt::EventKind::Switch) {
          if (await == kNone ||
              (trace[await].event.site == nullptr && step.event.site != nullptr)) {
            await = i; // the first, or the first that names its co_await
          }
        } else if (rt::is_memory_access(step.event.kind) && overlaps(step.event, check.event)) {
          if (change == kNone) {
            if (rt::is_write(step.event.kind)) {
              break; // the task itself changed it first: no stale check
            }
            continue; // it checked again
          }
          if (await != kNone && !same_source_line(check, step)) {
            return AcrossAwait{c, await, change, i};
          }
          break;
        }
      } else if (change == kNone && rt::is_write(step.event.kind) &&
                 overlaps(step.event, check.event)) {
        change = i;
      }
    }
  }
  return {};
}

} // namespace

// Async tasks: a check-then-act across a co_await, if the trace has one.
static std::optional<Classification> classify_across_await(std::span<const rt::StepRecord> trace,
                                                           const MemoryContext &memory) {
  if (const AcrossAwait found = check_then_act_across_await(trace); found.check != kNone) {
    const rt::StepRecord &check = trace[found.check];
    const rt::StepRecord &await = trace[found.await];
    const rt::StepRecord &change = trace[found.change];
    const rt::StepRecord &act = trace[found.act];
    const std::string suspended = await.event.site != nullptr
                                      ? "then awaited at " + where(await) + quoted_source(await)
                                      : std::string("then went back to its event loop");
    return Classification{
        RaceKind::CheckThenAct,
        "check-then-act across a co_await on " + object_name(check.event, memory) + ": " +
            thread_name(check.thread) + " checked it at " + where(check) + quoted_source(check) +
            ", " + suspended + "; " + thread_name(change.thread) + " changed it at " +
            where(change) + quoted_source(change) + " before " + thread_name(act.thread) +
            " acted at " + where(act) + quoted_source(act) + "."};
  }
  return std::nullopt;
}

// Threads (and tasks, when no check-then-act across a co_await is found): the earliest
// pattern of the most telling kind on one location.
static Classification classify_threads(std::span<const rt::StepRecord> trace,
                                       const MemoryContext &memory) {
  std::map<const void *, std::vector<Use>> uses;
  std::map<const void *, std::set<int>> waiters;
  std::set<const void *> library; // locations a third-party library's code accessed
  const std::vector<const void *> contended = contended_locations(trace);
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const rt::StepRecord &step = trace[index];
    if (step.event.kind == rt::EventKind::Wait && step.event.addr != nullptr) {
      waiters[step.event.addr].insert(step.thread);
    }
    if (!rt::is_memory_access(step.event.kind) ||
        !std::ranges::binary_search(contended, step.event.addr, std::less<>())) {
      continue;
    }
    uses[step.event.addr].push_back(Use{index, step.thread, step.event.kind == rt::EventKind::Read,
                                        rt::is_write(step.event.kind)});
    if (by_library_code(step.event)) {
      library.insert(step.event.addr);
    }
  }
  if (const CheckThenAct found = check_then_act(trace); found.check != kNone) {
    const rt::StepRecord &check = trace[found.check];
    const rt::StepRecord &change = trace[found.change];
    const rt::StepRecord &act = trace[found.act];
    const std::string object = check.event.site != nullptr && check.event.site->object != nullptr
                                   ? std::string(check.event.site->object)
                                   : object_name(check.event, memory);
    return {RaceKind::CheckThenAct,
            "check-then-act on " + object + ": " + thread_name(check.thread) + " checked it at " +
                where(check) + quoted_source(check) + ", " + thread_name(change.thread) +
                " changed it at " + where(change) + quoted_source(change) + " before " +
                thread_name(act.thread) + " acted at " + where(act) + "."};
  }
  // The highest-priority kind, then the earliest at. at is an index into the location's own
  // uses for some kinds, so locations tie; a tie goes to a location only the user's code accessed
  // over one a third-party library's code did (the library's internal words are rarely the
  // culprit), then to the location the trace accessed first. Never to the lower address: heap
  // addresses change from run to run (ASLR), and the sentence would change with them.
  using Rank = std::tuple<RaceKind, std::size_t, bool, std::size_t>;
  std::optional<Candidate> best;
  Rank best_rank;
  const std::vector<Use> *best_uses = nullptr;
  for (const auto &[address, location_uses] : uses) {
    static const std::set<int> kNoWaiters;
    const auto waiting = waiters.find(address);
    for (const Candidate &candidate :
         Location(location_uses, waiting != waiters.end() ? waiting->second : kNoWaiters)
             .patterns()) {
      const Rank rank{candidate.kind, candidate.at, library.contains(address),
                      location_uses.front().step};
      if (!best || rank < best_rank) {
        best = candidate;
        best_rank = rank;
        best_uses = &location_uses;
      }
    }
  }
  if (!best) {
    return {RaceKind::None, "no two threads accessed one location with a write in this "
                            "interleaving; the invariant depends on the order of their other "
                            "effects."};
  }
  // The object as its first access names it.
  const std::string object = object_name(trace[best_uses->front().step].event, memory);
  return {best->kind, sentence(*best, *best_uses, trace, object)};
}

Classification classify(std::span<const rt::StepRecord> trace, const MemoryContext &memory) {
  Classification found = classify_threads(trace, memory);
  if (found.kind == RaceKind::LostUpdate) {
    return found; // the more specific name for a read and write-back split by another's
  }
  if (std::optional<Classification> across = classify_across_await(trace, memory)) {
    return *across;
  }
  return found;
}

} // namespace interlace::detail
