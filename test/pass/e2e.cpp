// End to end: compile with -fpass-plugin, link the runtime, run. Seeded schedules find the
// lost update; the same schedule replays to the same result.
// RUN: %clangxx -std=c++20 -g -O1 -fpass-plugin=%plugin %rt_flags %s -o %t
// RUN: %t | FileCheck %s
#include <cstdio>
#include <functional>
#include <vector>

#include "interlace/rt/choice_strategy.hpp"
#include "interlace/rt/executor.hpp"
#include "interlace/rt/replay_strategy.hpp"
#include "interlace/rt/sites.hpp"

struct Counter {
  int value = 0;
  void increment() {
    int t = value;
    value = t + 1;
  }
};

int main() {
  std::printf("modules: %zu\n", interlace::rt::instrumented_module_count());
  interlace::rt::Executor executor;
  Counter counter;
  std::vector<std::function<void()>> bodies = {[&] { counter.increment(); },
                                               [&] { counter.increment(); }};
  for (unsigned seed = 0; seed < 1000; ++seed) {
    counter.value = 0;
    interlace::rt::SeededChoiceSource choices(seed);
    interlace::rt::ChoiceStrategy strategy(choices, 300);
    if (executor.run(bodies, strategy).failed()) {
      return 1;
    }
    if (counter.value == 1) {
      std::vector<int> schedule(executor.schedule().begin(), executor.schedule().end());
      counter.value = 0;
      interlace::rt::ReplayStrategy replay(schedule);
      executor.run(bodies, replay);
      std::printf("lost update found; replayed value %d\n", counter.value);
      return 0;
    }
  }
  std::printf("no lost update\n");
  return 1;
}

// CHECK: modules: 1
// CHECK: lost update found; replayed value 1
