// The interleaved trace as people read it: one line per executed source line while the same
// thread stays on it, and the conflicts between accesses of different threads. The text
// explanation, the Chrome trace JSON and the SVG swimlane are all drawn from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "interlace/rt/event.hpp"
#include "object_names.hpp"

namespace interlace::detail {

struct TraceAccess {
  std::size_t step; // index into the execution's trace
  rt::EventKind kind;
  std::uint32_t size;
  const void *address;
  std::string object;
};

struct TraceLine {
  std::size_t number; // from 1
  int thread;
  const interlace_site *site; // null for runtime events without a source location
  std::string event;          // for such events: "lock", "unlock 0x…", "start", ...
  std::vector<TraceAccess> accesses;
  std::size_t first_step;
  std::size_t last_step;
};

// Two accesses of different threads to one location, at least one a write: the later one
// conflicts with the earlier (the latest access of each other thread before it).
struct Conflict {
  std::size_t from_line; // index into lines
  std::size_t to_line;
  std::string object;
};

struct TraceModel {
  std::vector<TraceLine> lines;
  std::vector<Conflict> conflicts;
  bool filtered = false; // lines show only conflicting locations' accesses
};

// The trace as the user's code sees it: a step in library code that the user's instrumented
// code called into (rt::Event::call) takes that call's site, so that it reads as the user's
// line (`cache.count(key)`, not atomic_base.h); the library's own site moves to Event::call, a
// detail for whoever wants it.
std::vector<rt::StepRecord> in_user_code(std::span<const rt::StepRecord> trace);

// Locations that two threads touched with at least one write.
std::vector<const void *> contended_locations(std::span<const rt::StepRecord> trace);

// By default only accesses to contended locations are shown (every step with a source
// location when there are none); `verbose` shows every step.
TraceModel build_trace(std::span<const rt::StepRecord> trace, const MemoryContext &memory,
                       bool verbose);

} // namespace interlace::detail
