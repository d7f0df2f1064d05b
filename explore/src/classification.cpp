#include "classification.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
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
  explicit Location(const std::vector<Use> &uses) : uses_(uses), slot_(uses.size()) {
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
      if (!uses_[p].reads || other[p] == kNone) {
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
    if (uses_.empty() || !uses_.front().reads || uses_.front().writes) {
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
  case RaceKind::None:
    break;
  }
  return std::string();
}

} // namespace

Classification classify(std::span<const rt::StepRecord> trace, const MemoryContext &memory) {
  std::map<const void *, std::vector<Use>> uses;
  const std::vector<const void *> contended = contended_locations(trace);
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const rt::StepRecord &step = trace[index];
    if (!rt::is_memory_access(step.event.kind) ||
        !std::ranges::binary_search(contended, step.event.addr, std::less<>())) {
      continue;
    }
    uses[step.event.addr].push_back(Use{index, step.thread, step.event.kind == rt::EventKind::Read,
                                        rt::is_write(step.event.kind)});
  }
  // Locations in address order, and within a kind the earliest at; on a tie the first found.
  std::optional<Candidate> best;
  const std::vector<Use> *best_uses = nullptr;
  for (const auto &[address, location_uses] : uses) {
    for (const Candidate &candidate : Location(location_uses).patterns()) {
      if (!best || candidate.kind < best->kind ||
          (candidate.kind == best->kind && candidate.at < best->at)) {
        best = candidate;
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

} // namespace interlace::detail
