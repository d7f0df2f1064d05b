// Explores the two-thread lost update; with INTERLACE_TRACE_OUT set, the counterexample is
// written as a trace file for validate_trace.py.
#include <interlace/interlace.hpp>

#include <cstdio>

struct Counter {
  int value = 0;
  void increment() {
    int seen = value;
    value = seen + 1;
  }
};

int main() {
  auto result = interlace::explore_interleavings(
      [] { return Counter{}; },
      {[](Counter &c) { c.increment(); }, [](Counter &c) { c.increment(); }},
      [](const Counter &c) { return c.value == 2; }, {.seed = 3});
  std::printf("%s", result.explanation.c_str());
  return result.property_holds ? 1 : 0;
}
