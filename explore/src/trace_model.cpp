#include "trace_model.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

namespace interlace::detail {
namespace {

std::string address_text(const void *address) {
  char text[32];
  std::snprintf(text, sizeof text, "%p", address);
  return text;
}

// "lock 0x…", "start", "marker read_balance": a step that is not a memory access.
std::string event_text(const rt::Event &event) {
  std::string text = rt::to_string(event.kind);
  if (event.kind == rt::EventKind::Marker && event.addr != nullptr) {
    return text + " " + static_cast<const char *>(event.addr);
  }
  if (event.kind == rt::EventKind::Lock || event.kind == rt::EventKind::Unlock) {
    return text + " " + address_text(event.addr);
  }
  return text;
}

bool same_line(const interlace_site *a, const interlace_site *b) {
  return a != nullptr && b != nullptr && a->line == b->line && std::string_view(a->file) == b->file;
}

} // namespace

std::vector<const void *> contended_locations(std::span<const rt::StepRecord> trace) {
  struct Use {
    std::set<int> threads;
    bool written = false;
  };
  std::map<const void *, Use> uses;
  for (const rt::StepRecord &step : trace) {
    if (rt::is_memory_access(step.event.kind)) {
      Use &use = uses[step.event.addr];
      use.threads.insert(step.thread);
      use.written = use.written || rt::is_write(step.event.kind);
    }
  }
  std::vector<const void *> result;
  for (const auto &[address, use] : uses) {
    if (use.threads.size() >= 2 && use.written) {
      result.push_back(address);
    }
  }
  return result;
}

std::vector<rt::StepRecord> in_user_code(std::span<const rt::StepRecord> trace) {
  std::vector<rt::StepRecord> result(trace.begin(), trace.end());
  for (rt::StepRecord &step : result) {
    if (step.event.call != nullptr) {
      std::swap(step.event.site, step.event.call);
    }
  }
  return result;
}

TraceModel build_trace(std::span<const rt::StepRecord> trace, const MemoryContext &memory,
                       bool verbose) {
  const std::vector<const void *> contended = contended_locations(trace);
  const auto is_contended = [&](const void *address) {
    return std::ranges::binary_search(contended, address, std::less<>());
  };
  // Names of addresses whose accesses lack a compile-time name: finding one can search every
  // allocation, so each address is looked up once.
  std::unordered_map<const void *, std::string> names;
  const auto name = [&](const rt::Event &event) {
    if (event.site != nullptr && event.site->object != nullptr) {
      return std::string(event.site->object);
    }
    auto [found, inserted] = names.try_emplace(event.addr);
    if (inserted) {
      found->second = object_name(event, memory);
    }
    return found->second;
  };
  TraceModel model;
  model.filtered = !verbose && !contended.empty();
  for (std::size_t index = 0; index < trace.size(); ++index) {
    const rt::StepRecord &step = trace[index];
    const bool access = rt::is_memory_access(step.event.kind);
    if (!verbose) {
      if (model.filtered ? !(access && is_contended(step.event.addr))
                         : step.event.site == nullptr) {
        continue;
      }
    }
    TraceLine *line = model.lines.empty() ? nullptr : &model.lines.back();
    const bool continues = line != nullptr && line->thread == step.thread &&
                           (access && same_line(line->site, step.event.site)) &&
                           line->event.empty();
    if (!continues) {
      model.lines.push_back(TraceLine{model.lines.size() + 1,
                                      step.thread,
                                      step.event.site,
                                      access ? std::string() : event_text(step.event),
                                      {},
                                      index,
                                      index});
      line = &model.lines.back();
    }
    line->last_step = index;
    if (access) {
      line->accesses.push_back(
          TraceAccess{index, step.event.kind, step.event.size, step.event.addr, name(step.event)});
    }
  }
  // Conflicts: from the latest access of every other thread to the same location, when one
  // of the two writes (a lost update: the stale read -> the other's write -> the overwrite).
  struct Latest {
    std::size_t line;
    const TraceAccess *access;
  };
  std::map<const void *, std::map<int, Latest>> latest; // location -> thread -> access
  for (std::size_t l = 0; l < model.lines.size(); ++l) {
    const int thread = model.lines[l].thread;
    for (const TraceAccess &current : model.lines[l].accesses) {
      if (!is_contended(current.address)) {
        continue;
      }
      auto &by_thread = latest[current.address];
      for (const auto &[other, earlier] : by_thread) {
        if (other != thread && (rt::is_write(earlier.access->kind) || rt::is_write(current.kind)) &&
            earlier.line != l) {
          model.conflicts.push_back(Conflict{earlier.line, l, current.object});
        }
      }
      by_thread[thread] = Latest{l, &current};
    }
  }
  return model;
}

} // namespace interlace::detail
