// Names for the objects a trace touched: what the compiler knew (Counter::value), else what
// the runtime knows about the address (a global, the exploration's state, a heap allocation).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "interlace/rt/event.hpp"
#include "interlace/rt/memory.hpp"

namespace interlace::detail {

// What was in memory during the execution being explained.
struct MemoryContext {
  const void *state = nullptr; // the exploration's state object
  std::uint64_t state_size = 0;
  std::span<const rt::Allocation> allocations; // in allocation order
  // Names the compiler gave some access to each address: they serve the accesses whose own
  // name the optimiser dropped (a load it rebuilt).
  std::map<const void *, const char *> known;
};

// The compile-time object names in a trace, by address.
std::map<const void *, const char *> known_names(std::span<const rt::StepRecord> trace);

// "Counter::value", "table[3]", "the state (+8)", "heap object allocated at list.cpp:12",
// or the address, for a memory-access event.
std::string object_name(const rt::Event &event, const MemoryContext &memory);

} // namespace interlace::detail
