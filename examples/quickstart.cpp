// Quick start: the lost update of the seed README's Counter, found by explore_interleavings.
//
// Two threads increment a counter with a read followed by a write. interlace runs them one at
// a time, switching only before shared-memory accesses, tries schedules until the invariant
// breaks, shrinks the failing schedule to the fewest context switches and explains it.
#include <interlace/interlace.hpp>

#include <cstdio>

struct Counter {
  int value = 0;

  void increment() {
    int temp = value;
    value = temp + 1;
  }
};

int main() {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },                                               // fresh state
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }}, // two threads
      [](const Counter &c) { return c.value == 2; },                          // what must hold
      {.max_attempts = 200, .seed = 42});

  std::printf("%s", result.explanation.c_str());
  if (result.property_holds) {
    return 1; // the demo expects the race to be found
  }
  std::printf("\nThe counterexample's counter is %d, not 2: one increment was lost.\n",
              result.counterexample->value);
  return 0;
}
