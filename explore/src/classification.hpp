// Which kind of race an interleaving shows, in one sentence naming the location and threads.
#pragma once

#include <span>
#include <string>

#include "interlace/rt/event.hpp"
#include "object_names.hpp"

namespace interlace::detail {

enum class RaceKind {
  None,               // no two threads touched a location with a write
  LostUpdate,         // two threads read a location before either wrote it back
  AtomicityViolation, // a thread read a location twice with another thread's write between
  OrderViolation,     // a thread read a location before another thread's initialising write
  WriteWrite,         // two threads wrote a location
  // A thread looked at a library object through one call of the user's (a container's count,
  // a queue's empty) and acted on it through another, and another thread changed the object in
  // between: found only on objects that a third-party library's code accessed first
  // (INTERLACE_SITE_LIBRARY_CODE), and reported before the kinds above, which would name its
  // internal words.
  CheckThenAct,
};

struct Classification {
  RaceKind kind = RaceKind::None;
  std::string sentence; // e.g. "lost update: threads 0 and 1 both read Counter::value ..."
};

// The first race, in trace order, of the highest-priority kind (the order of RaceKind). Which
// location wins a tie does not depend on addresses (classification.cpp says how it breaks), so
// the sentence is the same from run to run.
Classification classify(std::span<const rt::StepRecord> trace, const MemoryContext &memory);

} // namespace interlace::detail
