#include "classification.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "source_text.hpp"
#include "trace_model.hpp"

namespace interlace::detail {
namespace {

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

struct Candidate {
  RaceKind kind;
  std::size_t at; // the step that completes the pattern: earlier candidates win within a kind
  std::string sentence;
};

// The patterns on one location's uses, in trace order.
std::vector<Candidate> patterns(const std::vector<Use> &uses, std::span<const rt::StepRecord> trace,
                                const std::string &object) {
  std::vector<Candidate> found;
  const auto step = [&](const Use &use) -> const rt::StepRecord & { return trace[use.step]; };
  for (std::size_t i = 0; i < uses.size(); ++i) {
    const Use &a = uses[i];
    for (std::size_t j = i + 1; j < uses.size(); ++j) {
      const Use &b = uses[j];
      // Lost update: a reads, b reads (no write between), then both write.
      if (a.reads && b.reads && b.thread != a.thread) {
        bool written_between = false;
        for (std::size_t k = i + 1; k < j; ++k) {
          written_between = written_between || uses[k].writes;
        }
        std::optional<std::size_t> a_writes;
        std::optional<std::size_t> b_writes;
        for (std::size_t k = j + 1; k < uses.size(); ++k) {
          if (uses[k].writes && uses[k].thread == a.thread && !a_writes) {
            a_writes = k;
          }
          if (uses[k].writes && uses[k].thread == b.thread && !b_writes) {
            b_writes = k;
          }
        }
        if (!written_between && a_writes && b_writes) {
          found.push_back({RaceKind::LostUpdate, std::max(*a_writes, *b_writes),
                           "lost update: " + thread_name(a.thread) + " and " +
                               thread_name(b.thread) + " both read " + object + " (" +
                               where(step(a)) + ") before either wrote it back."});
        }
      }
      // Atomicity violation: a reads, another thread writes, a reads again.
      if (a.reads && b.writes && b.thread != a.thread) {
        for (std::size_t k = j + 1; k < uses.size(); ++k) {
          if (uses[k].thread == a.thread && uses[k].reads) {
            found.push_back({RaceKind::AtomicityViolation, k,
                             "atomicity violation: " + thread_name(a.thread) + " read " + object +
                                 " twice (" + where(step(a)) + ", " + where(step(uses[k])) +
                                 ") and " + thread_name(b.thread) + " wrote it in between (" +
                                 where(step(b)) + ")."});
            break;
          }
        }
      }
    }
  }
  // Order violation: the first use is a read, and another thread writes later.
  if (!uses.empty() && uses.front().reads && !uses.front().writes) {
    for (const Use &later : uses) {
      if (later.writes && later.thread != uses.front().thread) {
        found.push_back({RaceKind::OrderViolation, later.step,
                         "order violation: " + thread_name(uses.front().thread) + " read " +
                             object + " (" + where(step(uses.front())) + ") before " +
                             thread_name(later.thread) + "'s initialising write (" +
                             where(step(later)) + ")."});
        break;
      }
    }
  }
  // Write-write: two threads wrote it.
  for (std::size_t i = 0; i < uses.size(); ++i) {
    for (std::size_t j = i + 1; j < uses.size(); ++j) {
      if (uses[i].writes && uses[j].writes && uses[i].thread != uses[j].thread) {
        found.push_back({RaceKind::WriteWrite, uses[j].step,
                         "write-write conflict: " + thread_name(uses[i].thread) + " and " +
                             thread_name(uses[j].thread) + " both wrote " + object + " (" +
                             where(step(uses[i])) + ", " + where(step(uses[j])) +
                             "); the last write wins."});
        return found;
      }
    }
  }
  return found;
}

} // namespace

Classification classify(std::span<const rt::StepRecord> trace, const MemoryContext &memory) {
  std::map<const void *, std::vector<Use>> uses;
  std::map<const void *, std::string> objects;
  const std::vector<const void *> contended = contended_locations(trace);
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const rt::StepRecord &step = trace[index];
    if (!rt::is_memory_access(step.event.kind) ||
        !std::ranges::binary_search(contended, step.event.addr, std::less<>())) {
      continue;
    }
    uses[step.event.addr].push_back(Use{index, step.thread, step.event.kind == rt::EventKind::Read,
                                        rt::is_write(step.event.kind)});
    objects.try_emplace(step.event.addr, object_name(step.event, memory));
  }
  std::optional<Candidate> best;
  for (const auto &[address, location_uses] : uses) {
    for (Candidate &candidate : patterns(location_uses, trace, objects[address])) {
      if (!best || candidate.kind < best->kind ||
          (candidate.kind == best->kind && candidate.at < best->at)) {
        best = std::move(candidate);
      }
    }
  }
  if (!best) {
    return {RaceKind::None, "no two threads accessed one location with a write in this "
                            "interleaving; the invariant depends on the order of their other "
                            "effects."};
  }
  return {best->kind, std::move(best->sentence)};
}

} // namespace interlace::detail
